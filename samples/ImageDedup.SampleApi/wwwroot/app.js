// The sample's page: one project, an upload form, the project's images (each served through the
// ImageDedup package at /images/{id}/content) and its de-duplication figures.
'use strict';

const $ = (id) => document.getElementById(id);
let projectId = new URLSearchParams(location.search).get('project');

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function say(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function problem(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

async function newProject() {
  const response = await fetch('/projects', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Project ${new Date().toISOString().slice(0, 19).replace('T', ' ')}` }),
  });
  if (!response.ok) throw new Error(await problem(response));
  const project = await response.json();
  projectId = String(project.id);
  history.replaceState(null, '', `?project=${projectId}`);
}

async function refresh() {
  const [project, images, figures] = await Promise.all([
    fetch(`/projects/${projectId}`), fetch(`/projects/${projectId}/images?limit=500`), fetch(`/projects/${projectId}/stats`)]);
  if (!project.ok || !images.ok || !figures.ok) {
    say(`Project ${projectId}: ${await problem(project.ok ? images : project)}`, true);
    return;
  }

  const p = await project.json();
  $('project-name').textContent = p.name;
  $('project-id').textContent = p.id;

  const f = await figures.json();
  $('images-count').textContent = f.images;
  $('originals-count').textContent = f.originals;
  $('uploaded-bytes').textContent = bytes(f.uploadedBytes);
  $('stored-bytes').textContent = bytes(f.storedBytes);
  $('saved-bytes').textContent = bytes(f.bytesSaved);

  const gallery = $('gallery');
  gallery.replaceChildren();
  for (const image of await images.json()) {
    const item = document.createElement('li');
    item.dataset.imageId = image.id;
    const picture = document.createElement('img');
    picture.src = image.url;
    picture.alt = `image ${image.id} (${image.style})`;
    const caption = document.createElement('div');
    caption.innerHTML = `#${image.id} · ${image.style} · ${bytes(image.byteLength)}<br>original <code></code>`;
    caption.querySelector('code').textContent = image.originalId ? image.originalId.slice(-12) : 'not moved yet';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => deleteImage(image.id));
    item.append(picture, caption, remove);
    gallery.append(item);
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  const styles = $('styles').value.split(',').map((s) => s.trim()).filter(Boolean);
  const query = styles.map((s) => `style=${encodeURIComponent(s)}`).join('&');
  const form = new FormData();
  form.append('file', file);
  $('upload').disabled = true;
  say(`Uploading ${file.name}…`);
  try {
    const response = await fetch(`/projects/${projectId}/images?${query}`, { method: 'POST', body: form });
    if (!response.ok) {
      say(`Refused: ${await problem(response)}`, true);
      return;
    }
    const stored = await response.json();
    say(stored.storedNewBytes
      ? `Stored ${file.name} as a new original (${bytes(stored.length)}).`
      : `${file.name} is already stored: ${stored.images.length} image(s) added, no bytes written.`);
    await refresh();
  } finally {
    $('upload').disabled = false;
  }
}

async function deleteImage(id) {
  const response = await fetch(`/images/${id}`, { method: 'DELETE' });
  say(response.ok ? `Deleted image ${id}.` : `Could not delete image ${id}: ${await problem(response)}`, !response.ok);
  await refresh();
}

$('upload-form').addEventListener('submit', upload);
$('new-project').addEventListener('click', async () => { await newProject(); await refresh(); });

(async () => {
  try {
    if (!projectId) await newProject();
    await refresh();
    document.body.dataset.ready = 'true';
  } catch (error) {
    say(String(error), true);
  }
})();
