/* facerec gallery: plain JavaScript over the REST API (/api). No build step. */
const Gallery = (() => {
  // CSRF: the server sets the XSRF-TOKEN cookie; every request echoes it in a header another site cannot set
  const csrf = () => decodeURIComponent((document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/) || [])[1] || '');
  const api = async (path, options = {}) => {
    const res = await fetch('api' + path,
      {headers: {'Content-Type': 'application/json', 'X-XSRF-TOKEN': csrf()}, credentials: 'same-origin', ...options});
    if (res.status === 401) { location.reload(); throw new Error('Signed out: sign in again'); }
    options.total?.(Number(res.headers.get('X-Total-Count')) || null);
    const body = res.headers.get('Content-Type')?.includes('json') ? await res.json() : null;
    if (!res.ok) throw new Error(body?.error || res.statusText);
    return body;
  };
  const send = (method, path, body) => api(path, {method, body: JSON.stringify(body ?? {})});
  // a paged list: its items and the total the server counts (X-Total-Count)
  const page = async path => {
    let total = null;
    const items = await api(path, {total: t => { total = t; }});
    return {items, total: total ?? items.length};
  };
  const PAGE = 200;
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(e.dataset, v); else e.setAttribute(k, v);
    }
    children.flat().forEach(c => e.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return e;
  };
  const label = p => p.name || `Person #${p.id}`;
  const status = (text, error = false) => {
    const s = document.getElementById('status');
    s.textContent = text; s.className = error ? 'error' : '';
  };
  const guard = fn => async (...args) => { try { await fn(...args); } catch (e) { status(e.message, true); } };
  const param = name => new URLSearchParams(location.search).get(name);
  const thumb = id => el('img', {src: `api/faces/${id}/thumbnail`, alt: `face ${id}`, loading: 'lazy'});

  function tile(p) {
    return el('div', {class: 'tile person-tile' + (p.hidden ? ' hidden' : ''), dataset: {id: p.id}},
      el('a', {href: `person.html?id=${p.id}`},
        p.portraitFaceId ? thumb(p.portraitFaceId) : el('img', {alt: ''}),
        el('div', {class: 'caption'}, el('div', {class: 'name'}, label(p)),
          el('div', {class: 'count'}, `${p.faces} face${p.faces === 1 ? '' : 's'}`))));
  }

  // "Show more" under a grid: appends the next page until the total is reached
  function more(buttonId, next) {
    const button = document.getElementById(buttonId);
    button.onclick = guard(async () => { await next(); });
    return (shown, total) => { button.hidden = shown >= total; button.textContent = `Show more (${total - shown} more)`; };
  }

  async function index() {
    const showHidden = document.getElementById('show-hidden');
    const search = document.getElementById('search');
    let persons = [];
    let total = 0;
    const personsMore = more('more-persons', () => loadPersons(false));
    const loadPersons = guard(async (fresh = true) => {
      const q = search.value.trim();
      const got = await page(`/persons?hidden=${showHidden.checked}&offset=${fresh ? 0 : persons.length}&limit=${PAGE}`
        + (q ? `&q=${encodeURIComponent(q)}` : ''));
      persons = fresh ? got.items : persons.concat(got.items);
      total = got.total;
      document.getElementById('persons').replaceChildren(...persons.map(tile));
      document.getElementById('title').textContent = `People (${total})`;
      personsMore(persons.length, total);
    });
    let unassigned = [];
    const unassignedMore = more('more-unassigned', () => loadUnassigned(false));
    const loadUnassigned = guard(async (fresh = true) => {
      const got = await page(`/faces/unassigned?offset=${fresh ? 0 : unassigned.length}&limit=${PAGE}`);
      unassigned = fresh ? got.items : unassigned.concat(got.items);
      document.getElementById('unassigned-count').textContent = `(${got.total})`;
      document.getElementById('unassigned').replaceChildren(...unassigned.map(f =>
        el('div', {class: 'face', dataset: {id: f.id}}, el('a', {href: `photo.html?face=${f.id}`}, thumb(f.id)))));
      unassignedMore(unassigned.length, got.total);
    });
    showHidden.addEventListener('change', () => loadPersons());
    let typing;
    search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => loadPersons(), 250); });
    await loadPersons();
    await loadUnassigned();
  }

  async function person() {
    const id = Number(param('id'));
    let shown = PAGE;
    const facesMore = more('more-faces', async () => { shown += PAGE; await render(); });
    const render = guard(async () => {
      const {person: p, faces} = await api(`/persons/${id}?offset=0&limit=${Math.min(shown, 1000)}`);
      document.title = `facerec · ${label(p)}`;
      document.getElementById('title').textContent = `${label(p)} · ${p.faces} face${p.faces === 1 ? '' : 's'}`;
      facesMore(faces.length, p.faces);
      document.getElementById('person-name').value = p.name || '';
      document.getElementById('hide').textContent = p.hidden ? 'Unhide' : 'Hide';
      document.getElementById('hide').dataset.hidden = p.hidden;
      document.getElementById('faces').replaceChildren(...faces.map(f =>
        el('div', {class: 'face' + (f.verified ? ' verified' : ''), dataset: {id: f.id}},
          el('a', {href: `photo.html?face=${f.id}`}, thumb(f.id)),
          el('div', {class: 'actions'},
            el('label', {}, el('input', {type: 'checkbox', class: 'select', value: f.id}), 'select'),
            f.verified ? el('span', {class: 'badge'}, '✓ confirmed')
              : el('button', {class: 'small confirm', onclick: guard(async () => {
                  await send('POST', `/faces/${f.id}/confirm`); status('Face confirmed'); await render(); })}, 'Confirm'),
            el('button', {class: 'small danger reject', onclick: guard(async () => {
              await send('POST', `/faces/${f.id}/not-this-person`); status('Face removed from this person'); await render(); })},
              'Not this person')))));
      // the persons to merge or move to: the look-alikes, then the largest (or those a name search finds)
      const q = document.getElementById('find-person').value.trim();
      const all = (await api(`/persons?hidden=true&limit=${PAGE}` + (q ? `&q=${encodeURIComponent(q)}` : '')))
        .filter(o => o.id !== id);
      const suggestions = await api(`/persons/${id}/suggestions`);
      const ordered = [...suggestions.map(s => s.person), ...all.filter(o => !suggestions.some(s => s.person.id === o.id))];
      document.getElementById('merge-source').replaceChildren(el('option', {value: ''}, 'Merge another person…'),
        ...ordered.map(o => el('option', {value: o.id}, `${label(o)} (${o.faces})`)));
      document.getElementById('move-target').replaceChildren(el('option', {value: 'new'}, 'to a new person'),
        ...all.map(o => el('option', {value: o.id}, `to ${label(o)} (${o.faces})`)));
      document.getElementById('suggestions').replaceChildren(...suggestions.map(s =>
        el('li', {}, el('a', {href: `person.html?id=${s.person.id}`}, label(s.person)),
          ` · similarity ${s.similarity.toFixed(2)} · ${s.person.faces} faces`)));
    });
    let typing;
    document.getElementById('find-person').addEventListener('input', () => {
      clearTimeout(typing); typing = setTimeout(render, 250);
    });
    document.getElementById('rename').addEventListener('click', guard(async () => {
      await send('PUT', `/persons/${id}/name`, {name: document.getElementById('person-name').value});
      status('Renamed'); await render();
    }));
    document.getElementById('merge').addEventListener('click', guard(async () => {
      const from = document.getElementById('merge-source').value;
      if (!from) throw new Error('Choose a person to merge into this one');
      await send('POST', `/persons/${id}/merge`, {from: [Number(from)]});
      status('Merged'); await render();
    }));
    document.getElementById('hide').addEventListener('click', guard(async () => {
      const hidden = document.getElementById('hide').dataset.hidden !== 'true';
      await send('PUT', `/persons/${id}/hidden`, {hidden});
      status(hidden ? 'Hidden' : 'Visible again'); await render();
    }));
    document.getElementById('move').addEventListener('click', guard(async () => {
      const faceIds = [...document.querySelectorAll('input.select:checked')].map(c => Number(c.value));
      if (!faceIds.length) throw new Error('Select the faces to move first');
      const target = document.getElementById('move-target').value;
      const r = await send('POST', '/faces/move', {faceIds, personId: target === 'new' ? null : Number(target)});
      status(`Moved ${faceIds.length} face(s) to person #${r.personId}`); await render();
    }));
    await render();
  }

  async function photo() {
    const id = Number(param('face'));
    const f = await api(`/faces/${id}`);
    document.getElementById('title').textContent = f.file;
    if (f.personId) {
      const link = document.getElementById('person-link');
      link.href = `person.html?id=${f.personId}`; link.textContent = `Person #${f.personId}`;
    }
    const img = document.getElementById('photo');
    const box = document.getElementById('box');
    const place = () => {
      const s = img.clientWidth / img.naturalWidth;
      const [x1, y1, x2, y2] = f.box;
      Object.assign(box.style, {left: `${x1 * s}px`, top: `${y1 * s}px`, width: `${(x2 - x1) * s}px`, height: `${(y2 - y1) * s}px`});
    };
    img.addEventListener('load', place);
    window.addEventListener('resize', place);
    img.src = `api/faces/${id}/photo`;
  }

  return {index, person, photo};
})();

// Each page names its entry point on the script tag (data-page): no inline script, so the Content-Security-Policy
// can forbid them.
Gallery[document.currentScript.dataset.page]?.();
