// Fills the landing page from the live API: /healthz and /api/wards.
const statusList = document.getElementById('status');
const wardList = document.getElementById('wards');

function row(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  statusList.append(dt, dd);
}

async function showStatus() {
  try {
    const response = await fetch('/healthz');
    const health = await response.json();
    statusList.replaceChildren();
    row('Status', health.status);
    row('Version', health.version);
    row('Coordinates', `${health.transformation.name} (±${health.transformation.accuracy_m} m)`);
    row('Data', health.synthetic ? 'synthetic demo borough (not real data)' : (health.dataset ?? 'council data'));
  } catch {
    statusList.replaceChildren();
    row('Status', 'The server could not be reached. Please try again shortly.');
  }
}

async function showWards() {
  try {
    const response = await fetch('/api/wards');
    const wards = await response.json();
    wardList.replaceChildren(...wards.features.map((ward) => {
      const item = document.createElement('li');
      item.textContent = `${ward.properties.name} (${ward.properties.code})`;
      return item;
    }));
  } catch {
    wardList.replaceChildren();
  }
}

showStatus();
showWards();
