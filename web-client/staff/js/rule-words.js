// A round's rule in words, as a supervisor reads it: "every 2nd Tuesday, March to October,
// bank holidays: next working day". Pure: the rule's fields as the rounds API gives them
// (kind, rrule, interval_working_days, visits_per_season, season, suspension, bank_holidays).

const DAYS = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const BANK_HOLIDAYS = { next_working_day: 'next working day', skip: 'skipped', work: 'worked as usual' };

/** 1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd". */
export function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

function list(items) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "20271231" or "20271231T000000Z" -> "31 December 2027". */
function untilWords(text) {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(text);
  if (!m) return text;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** "1MO" -> "1st Monday", "-1FR" -> "last Friday", "TU" -> "Tuesday". */
function dayWords(token) {
  const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(token);
  if (!m) return token;
  if (!m[1]) return DAYS[m[2]];
  const n = Number(m[1]);
  return `${n === -1 ? 'last' : n < 0 ? `${ordinal(-n)} last` : ordinal(n)} ${DAYS[m[2]]}`;
}

/** An RRULE in words; null when it is not one we can say (the server checks it anyway). */
export function rruleWords(rrule) {
  const parts = {};
  for (const part of String(rrule ?? '').replace(/^RRULE:/i, '').split(';')) {
    const [name, value] = part.split('=');
    if (!name || value === undefined) continue;
    parts[name.trim().toUpperCase()] = value.trim().toUpperCase();
  }
  const freq = parts.FREQ;
  const interval = Number.parseInt(parts.INTERVAL ?? '1', 10) || 1;
  const days = (parts.BYDAY ?? '').split(',').filter(Boolean);
  const monthDays = (parts.BYMONTHDAY ?? '').split(',').filter(Boolean).map(Number);
  let words;
  if (freq === 'DAILY') {
    words = interval === 1 ? 'every day' : `every ${ordinal(interval)} day`;
    if (days.length) words += ` on ${list(days.map(dayWords))}`;
  } else if (freq === 'WEEKLY') {
    const named = days.map(dayWords);
    if (named.length === 0) words = interval === 1 ? 'every week' : `every ${ordinal(interval)} week`;
    else if (named.length === 1) words = interval === 1 ? `every ${named[0]}` : `every ${ordinal(interval)} ${named[0]}`;
    else words = interval === 1 ? `every ${list(named)}` : `every ${ordinal(interval)} week on ${list(named)}`;
  } else if (freq === 'MONTHLY') {
    const every = interval === 1 ? 'every month' : `every ${ordinal(interval)} month`;
    if (days.length) words = `the ${list(days.map(dayWords))} of ${every}`;
    else if (monthDays.length) words = `the ${list(monthDays.map((d) => (d === -1 ? 'last day' : ordinal(d))))} of ${every}`;
    else words = every;
  } else if (freq === 'YEARLY') {
    words = interval === 1 ? 'every year' : `every ${ordinal(interval)} year`;
    const months = (parts.BYMONTH ?? '').split(',').filter(Boolean).map((m) => MONTHS[Number(m) - 1] ?? m);
    if (months.length && monthDays.length) words += ` on ${list(monthDays.map(String))} ${list(months)}`;
    else if (months.length) words += ` in ${list(months)}`;
  } else {
    return null;
  }
  if (parts.UNTIL) words += `, until ${untilWords(parts.UNTIL)}`;
  if (parts.COUNT) words += `, ${parts.COUNT} times`;
  return words;
}

/** "03-01..10-31" -> "March to October"; "03-15..10-31" -> "15 March to 31 October". */
export function seasonWords(text) {
  const m = /^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  if (!m) return text ? String(text) : '';
  const [sm, sd, em, ed] = m.slice(1).map(Number);
  const wholeMonths = sd === 1 && (ed === MONTH_DAYS[em - 1] || (em === 2 && ed === 28));
  if (wholeMonths) {
    return sm === em ? MONTHS[sm - 1] : `${MONTHS[sm - 1]} to ${MONTHS[em - 1]}`;
  }
  return `${sd} ${MONTHS[sm - 1]} to ${ed} ${MONTHS[em - 1]}`;
}

/** The whole rule in words. */
export function ruleWords(round) {
  const out = [];
  if (round.kind === 'working_days') {
    const n = Number(round.interval_working_days);
    out.push(n === 1 ? 'every working day' : `every ${n} working days`);
  } else if (round.kind === 'per_season') {
    const n = Number(round.visits_per_season);
    out.push(`${n} ${n === 1 ? 'visit' : 'visits'} a season, spread over its working days`);
  } else {
    out.push(rruleWords(round.rrule) ?? `the rule ${round.rrule ?? ''}`.trim());
  }
  if (round.season) out.push(seasonWords(round.season));
  if (round.suspension) out.push(`suspended ${seasonWords(round.suspension)}`);
  out.push(`bank holidays: ${BANK_HOLIDAYS[round.bank_holidays ?? 'next_working_day'] ?? round.bank_holidays}`);
  return out.join(', ');
}
