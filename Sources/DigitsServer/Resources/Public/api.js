// The server's REST API (described at /openapi.json), with every failure turned into a
// sentence a person can act on.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, { body, headers = {}, token } = {}) {
  if (token) headers = { ...headers, Authorization: `Bearer ${token}` };
  let response;
  try {
    response = await fetch(path, { method, body, headers });
  } catch {
    throw new ApiError('The server cannot be reached. Check that it is running and try again.', 0);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  if (!response.ok) {
    const reason = data && typeof data.reason === 'string' ? data.reason : `the server answered ${response.status}`;
    throw new ApiError(reason.charAt(0).toUpperCase() + reason.slice(1) + (/[.!?]$/.test(reason) ? '' : '.'), response.status);
  }
  return data;
}

export const api = {
  /** What the live model reads in a PNG drawing. */
  guess: (png) => request('POST', '/api/guess', { body: png, headers: { 'Content-Type': 'image/png' } }),
  /** The same, with each hidden layer's activations and the last one's pushes on the guess. */
  explain: (png) => request('POST', '/api/guess?explain=1', { body: png, headers: { 'Content-Type': 'image/png' } }),
  /** A version's weights and biases (its model file); a version never changes, so it is cached. */
  network: (version) => request('GET', `/api/models/${version}/network`),

  /** Stores a verified digit, as a form: the drawing and its label. */
  store(png, label) {
    const form = new FormData();
    form.append('image', png, 'digit.png');
    form.append('label', String(label));
    return request('POST', '/api/digits', { body: form });
  },

  model: () => request('GET', '/api/model'),
  /** A digit to draw next, other than `after` (the one suggested last). */
  prompt: (after) => request('GET', after == null ? '/api/prompt' : `/api/prompt?after=${after}`),
  models: () => request('GET', '/api/models'),
  confusion: (version) => request('GET', `/api/models/${version}/confusion`),
  confusionCell: (version, label, read, page, per) =>
    request('GET', `/api/models/${version}/confusion/${label}/${read}?page=${page}&per=${per}`),
  digits: (page, per) => request('GET', `/api/digits?page=${page}&per=${per}`),
  /** Admin: decide on a version held for review (approve: it goes live; discard: rejected). */
  approveVersion: (version, token) => request('POST', `/api/models/${version}/approve`, { token }),
  discardVersion: (version, token) => request('POST', `/api/models/${version}/discard`, { token }),
  deleteDigit: (id, token) => request('DELETE', `/api/digits/${encodeURIComponent(id)}`, { token }),
  /** The visitor's own digits, by the contributor cookie the server set. */
  myDigits: (page, per) => request('GET', `/api/my/digits?page=${page}&per=${per}`),
  deleteMyDigit: (id) => request('DELETE', `/api/my/digits/${encodeURIComponent(id)}`),
  deleteAllMyDigits: () => request('DELETE', '/api/my/digits'),
};
