// The staff home: the shared header, then one tile per thing the person's roles give them.
// MyWard and the burial register are later issues; their tiles say so plainly instead of
// linking to pages that do not exist yet. Streetscene links to the crew and supervisor pages.
import { startStaffPage } from './staff-shell.js';
import { teamName } from './staff-api.js';

function tile(id, heading, paragraphs, { coming = false, links = [] } = {}) {
  const item = document.createElement('li');
  item.className = 'tile';
  item.id = id;
  const h2 = document.createElement('h2');
  h2.textContent = heading;
  item.append(h2);
  if (coming) {
    const badge = document.createElement('p');
    const mark = document.createElement('span');
    mark.className = 'coming';
    mark.textContent = 'Coming';
    badge.append(mark, ' This page is not built yet.');
    item.append(badge);
  }
  for (const text of paragraphs) {
    const p = document.createElement('p');
    p.textContent = text;
    item.append(p);
  }
  if (links.length) {
    const list = document.createElement('ul');
    for (const [text, href] of links) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = href;
      a.textContent = text;
      li.append(a);
      list.append(li);
    }
    item.append(list);
  }
  return item;
}

const TEAM_TILES = {
  streetscene: ['Streetscene work', ['Your crew\'s stops on a map and a list, and recording them.']],
  bereavement: ['Burial register', ['Cemeteries, plots and burials on the map, and the register behind them.']],
  planning: ['Planning', ['Planning applications on the map by ward.']],
  customer_services: ['Customer services', ['Residents\' reports with their contact details, and updating them.']],
  housing: ['Empty properties', ['Inspections of empty properties: what is due and overdue, on a map and as a list.']],
};

// The teams whose pages are built: their links (a supervisor's too).
const BUILT_TEAM_PAGES = {
  streetscene: (supervises) => [['Your day: stops on a map, recording them (works offline)', '/staff/crew.html'],
    ...(supervises ? [['Crews\' progress, reassigning work and the week\'s plan', '/staff/supervisor.html']] : [])],
  housing: () => [['Empty properties and inspections', '/staff/housing.html']],
  bereavement: () => [['Graves, memorial inspections due and the capacity forecast', '/staff/bereavement.html']],
};

function tilesFor(person, wardNames) {
  const tiles = [];
  const seen = new Set();
  for (const grant of person.roles) {
    if (grant.role === 'councillor' && !seen.has('myward')) {
      seen.add('myward');
      const wards = person.roles.filter((r) => r.role === 'councillor').flatMap((r) => r.wards);
      tiles.push(tile('tile-myward', 'MyWard', [
        'Reports, their progress and what the council is doing in your wards: requests, planning, bins, empty properties and cemeteries, with downloads.',
      ], { links: [['Your wards', '/staff/myward.html'],
        ...wards.map((code) => [`${wardNames[code] ?? code}: public reports`, `/ward.html?code=${encodeURIComponent(code)}`])] }));
    }
    if (grant.role === 'officer' || grant.role === 'supervisor') {
      for (const team of grant.teams) {
        if (seen.has(team)) continue;
        seen.add(team);
        const [heading, text] = TEAM_TILES[team] ?? [teamName(team), []];
        const built = BUILT_TEAM_PAGES[team];
        if (built) {
          const supervises = person.roles.some((r) => r.role === 'supervisor' && r.teams.includes(team));
          tiles.push(tile(`tile-${team}`, heading, text, { links: built(supervises) }));
        } else {
          tiles.push(tile(`tile-${team}`, heading, text, { coming: true }));
        }
      }
    }
    if (grant.role === 'admin' && !seen.has('admin')) {
      seen.add('admin');
      tiles.push(tile('tile-admin', 'Accounts, API keys and the catalogue', [
        'Managing people, keys and report categories in the browser.',
        'Until then, use the command line on the server: wardmap users and wardmap keys.',
      ], { coming: true, links: [['Streetscene crews\' progress', '/staff/supervisor.html']] }));
    }
  }
  // Bookings of burials: funeral directors (their firm's) and the bereavement team.
  if (person.roles.some((r) => r.role === 'funeral_director' || r.teams?.includes('bereavement'))) {
    tiles.push(tile('tile-bookings', 'Burial bookings', ['Booking burials: free times, the documents, and confirming or refusing them.'],
      { links: [['Burial bookings', '/staff/bookings.html']] }));
  }
  // Rounds: streetscene supervisors and admins plan them (rounds_manage).
  if (person.roles.some((r) => r.role === 'admin' || (r.role === 'supervisor' && r.teams.includes('streetscene')))) {
    tiles.push(tile('tile-rounds', 'Rounds', ['The streetscene rounds: their stops on a map, their rules in words, the next visits, and changing them.'],
      { links: [['Rounds', '/staff/rounds.html']] }));
  }
  tiles.push(tile('tile-public', 'The public map', ['What residents see: every public report in the borough.'],
    { links: [['Local reports map', '/reports.html']] }));
  return tiles;
}

const { person, wardNames } = await startStaffPage();
document.getElementById('tiles').replaceChildren(...tilesFor(person, wardNames));
document.getElementById('checking').remove();
document.getElementById('home').hidden = false;
document.body.dataset.ready = 'true';
