// Server and client errors shown next to the field they concern: every message slot carries
// data-field with the request field names it answers for; what is left goes to the summary.

export function fieldErrorSlot(field, id) {
  const p = document.createElement('p');
  p.className = 'field-error';
  p.id = id;
  p.dataset.field = field;
  return p;
}

export function clearErrors(form, summary) {
  for (const slot of form.querySelectorAll('.field-error[data-field]')) slot.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  summary.hidden = true;
  summary.replaceChildren();
}

export function showErrors(form, summary, error) {
  const fields = error.fields ?? {};
  const placed = [];
  const unplaced = [];
  for (const [name, message] of Object.entries(fields)) {
    const slot = [...form.querySelectorAll('.field-error[data-field]')]
      .find((s) => s.dataset.field.split(' ').includes(name));
    if (slot) {
      slot.textContent = message;
      const control = form.querySelector(`[aria-describedby~="${slot.id}"]`);
      control?.setAttribute('aria-invalid', 'true');
      placed.push({ slot, control, message });
    } else {
      unplaced.push(message);
    }
  }
  const heading = document.createElement('p');
  heading.textContent = placed.length
    ? 'Your report has not been sent yet. Please check the marked answers; everything you typed is still here.'
    : 'Your report has not been sent yet; everything you typed is still here.';
  const list = document.createElement('ul');
  for (const { slot, message } of placed) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${slot.id}`;
    a.textContent = message;
    li.append(a);
    list.append(li);
  }
  const general = unplaced.length ? unplaced : (placed.length ? [] : [error.message]);
  for (const message of general) {
    const li = document.createElement('li');
    li.textContent = message;
    list.append(li);
  }
  summary.replaceChildren(heading, list);
  summary.hidden = false;
  summary.focus();
}
