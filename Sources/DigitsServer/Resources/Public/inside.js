// Inside the network: each hidden neuron of the first layer as the 28x28 image of its incoming
// weights, lit by the current drawing's activations, with the neurons that pushed the guess most
// marked; deeper layers as bars; a neuron's detail on hover, focus or tap. The weights come once
// per version (GET /api/models/N/network, cacheable); the activations with the page's guess
// (?explain=1), so drawing costs no extra request.
import { api } from './api.js';

const $ = (id) => document.getElementById(id);
const LOWERS = [33, 102, 172];
const RAISES = [178, 24, 43];
/** How many neurons the summary names and the grid marks as pushing the guess most. */
const MARKED = 3;

/** A weight scaled to [-1, 1] as a diverging colour: blue lowers, white nothing, red raises. */
function colour(scaled) {
  const [r, g, b] = scaled < 0 ? LOWERS : RAISES;
  const t = Math.min(1, Math.abs(scaled));
  return [255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t];
}

/** Draws `weights` (784 of them) on a 28x28 canvas, scaled to the strongest of them. */
function drawWeights(canvas, weights) {
  const strongest = Math.max(1e-9, ...weights.map(Math.abs));
  const context = canvas.getContext('2d');
  const image = context.createImageData(28, 28);
  weights.forEach((weight, index) => {
    const [r, g, b] = colour(weight / strongest);
    image.data.set([r, g, b, 255], index * 4);
  });
  context.putImageData(image, 0, 0);
  return strongest;
}

const signed = (value) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

export class InsidePanel {
  constructor() {
    /** Version number → its model file, fetched once (the browser caches it too). */
    this.networks = new Map();
    this.chosen = null;
    this.live = null;
    this.network = null;
    this.result = null;
    this.pinned = null;
    $('inside-version').addEventListener('change', () => this.choose(Number($('inside-version').value)));
  }

  /** The versions that have a network; follows the live one unless another was chosen. */
  setVersions(versions, live) {
    const followsLive = this.chosen == null || this.chosen === this.live;
    this.live = live;
    const select = $('inside-version');
    select.replaceChildren(
      ...versions
        .filter((v) => v.outcome != null && v.outcome !== 'failed' && v.outcome !== 'cancelled')
        .map((v) => new Option(`version ${v.version}${v.version === live ? ' (live)' : ` (${v.outcome})`}`, String(v.version))),
    );
    const version = followsLive ? live : this.chosen;
    select.value = String(version);
    this.choose(Number(select.value || live));
  }

  async choose(version) {
    this.chosen = version;
    try {
      if (!this.networks.has(version)) this.networks.set(version, await api.network(version));
    } catch (error) {
      $('inside-error').textContent = `The network of version ${version} is unavailable: ${error.message}`;
      $('inside-error').hidden = false;
      return;
    }
    if (this.chosen !== version) return;
    $('inside-error').hidden = true;
    this.network = this.networks.get(version);
    this.build();
    this.light();
  }

  /** A guess with its hidden activations (or null once the pad is cleared). */
  show(result) {
    this.result = result && Array.isArray(result.hidden) ? result : null;
    this.light();
  }

  /** The first hidden layer as a grid of weight images; deeper ones as rows of bars. */
  build() {
    const { sizes, weights } = this.network;
    $('neurons').replaceChildren(...weights[0].map((incoming, neuron) => this.tile(incoming, neuron)));
    $('neurons').onmouseleave = () => this.detail(0, this.pinned);
    $('deeper').replaceChildren(...sizes.slice(2, -1).map((count, index) => this.bars(count, index + 2)));
    $('inside-shape').textContent = `${sizes.join('-')}: ${sizes.slice(1, -1).join(' and ')} hidden neurons`;
    this.detail(0, this.pinned != null && this.pinned < sizes[1] ? this.pinned : null);
  }

  /** One first-layer neuron: its weights' image, its number and its activation's bar, as a button. */
  tile(incoming, neuron) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'neuron';
    button.dataset.neuron = String(neuron);
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    drawWeights(canvas, incoming);
    const number = document.createElement('span');
    number.className = 'number';
    number.textContent = String(neuron + 1);
    const level = document.createElement('span');
    level.className = 'level';
    level.append(document.createElement('span'));
    button.append(canvas, number, level);
    for (const event of ['mouseenter', 'focus']) button.addEventListener(event, () => this.detail(0, neuron));
    button.addEventListener('click', () => {
      this.pinned = this.pinned === neuron ? null : neuron;
      this.detail(0, neuron);
    });
    item.append(button);
    return item;
  }

  /** A deeper hidden layer (`layer`, counting from 1) as a row of `count` activation bars. */
  bars(count, layer) {
    const figure = document.createElement('figure');
    const row = document.createElement('ol');
    row.className = 'deeper-layer';
    row.setAttribute('aria-label', `Hidden layer ${layer}: ${count} neurons`);
    for (let neuron = 0; neuron < count; neuron++) {
      const bar = document.createElement('li');
      bar.append(document.createElement('span'));
      row.append(bar);
    }
    const caption = document.createElement('figcaption');
    caption.className = 'caption';
    caption.textContent = `Hidden layer ${layer}: each bar is one of its ${count} neurons' activation.`;
    figure.append(row, caption);
    return figure;
  }

  /** Lights each neuron by the current guess's activations, and marks the strongest pushes. */
  light() {
    if (!this.network) return;
    const result = this.result && this.result.modelVersion === this.chosen ? this.result : null;
    const hidden = result ? result.hidden : null;
    const layers = this.network.sizes.length - 2;
    const contributions = result ? result.contributions : null;
    const ranked = contributions ? contributions.map((value, neuron) => [value, neuron]).sort((a, b) => b[0] - a[0]) : [];
    const marked = new Set(ranked.slice(0, MARKED).filter(([value]) => value > 0).map(([, neuron]) => neuron));
    const rows = [...$('deeper').querySelectorAll('.deeper-layer')];
    const lastLayerNodes = layers === 1 ? [...$('neurons').querySelectorAll('.neuron')] : [...(rows.at(-1)?.children ?? [])];
    [...$('neurons').querySelectorAll('.neuron')].forEach((button, neuron) => {
      const activation = hidden ? hidden[0][neuron] : null;
      button.querySelector('.level span').style.width = `${(activation ?? 0) * 100}%`;
      button.classList.toggle('quiet', activation != null && activation < 0.1);
      button.setAttribute('aria-label', this.describe(0, neuron, activation));
    });
    rows.forEach((row, index) => {
      [...row.children].forEach((bar, neuron) => {
        const activation = hidden ? hidden[index + 1][neuron] : 0;
        bar.firstElementChild.style.height = `${activation * 100}%`;
        bar.title = this.describe(index + 1, neuron, hidden ? activation : null);
      });
    });
    lastLayerNodes.forEach((node, neuron) => node.classList.toggle('pushes', marked.has(neuron)));
    $('inside-summary').textContent = this.summary(result, ranked);
    this.detail(0, this.pinned);
  }

  describe(layer, neuron, activation) {
    const result = this.result;
    const last = layer === this.network.sizes.length - 3;
    const push = last && result?.contributions && activation != null ? `, pushes the ${result.digit} by ${signed(result.contributions[neuron])}` : '';
    return `Neuron ${neuron + 1}${activation == null ? '' : `: activation ${Math.round(activation * 100)} %`}${push}`;
  }

  summary(result, ranked) {
    if (!result) {
      return this.result
        ? `Version ${this.result.modelVersion} read your drawing; these are version ${this.chosen}'s weights.`
        : 'Draw a digit: each neuron lights up as much as your drawing matches its picture.';
    }
    const pushers = ranked.filter(([value]) => value > 0).slice(0, MARKED);
    const holder = ranked.at(-1);
    const names = pushers.map(([value, neuron]) => `${neuron + 1} (${signed(value)})`);
    const said = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? 'none');
    const held = holder && holder[0] < 0 ? `; neuron ${holder[1] + 1} held it back most (${signed(holder[0])})` : '';
    const layers = this.network.sizes.length - 2;
    const which = layers === 1 ? 'neurons' : `hidden layer ${layers}'s neurons`;
    const where = layers === 1 ? 'Outlined in the grid' : 'Green in its bars';
    return `Read as ${result.digit}: ${which} ${said} pushed it most${held}. ${where}; push = activation × weight into the ${result.digit}.`;
  }

  /** The detail of one neuron of the first hidden layer: its picture large, activation, bias and outgoing weights. */
  detail(layer, neuron) {
    const panel = $('neuron-detail');
    if (neuron == null || !this.network) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    const { sizes, weights, biases } = this.network;
    const strongest = drawWeights($('detail-weights'), weights[layer][neuron]);
    const result = this.result && this.result.modelVersion === this.chosen ? this.result : null;
    const activation = result ? result.hidden[layer][neuron] : null;
    $('detail-title').textContent = `Neuron ${neuron + 1} of ${sizes[layer + 1]}`;
    const bias = Number(biases[layer][neuron]?.[0] ?? biases[layer][neuron]);
    $('detail-facts').textContent =
      `${activation == null ? 'No drawing read by this version yet' : `Activation ${activation.toFixed(2)} for your drawing`}` +
      ` · bias ${signed(bias)} · weights from ${signed(-strongest)} to ${signed(strongest)}`;
    const toOutput = layer + 2 === sizes.length - 1;
    const outgoing = weights[layer + 1].map((row) => row[neuron]);
    const widest = Math.max(1e-9, ...outgoing.map(Math.abs));
    $('detail-outgoing-title').textContent = toOutput ? 'Its weights into the ten outputs' : `Its weights into the next layer's ${outgoing.length} neurons`;
    $('detail-outgoing').replaceChildren(
      ...outgoing.map((weight, index) => {
        const item = document.createElement('li');
        if (toOutput && result && index === result.digit) item.className = 'guessed';
        const name = toOutput ? String(index) : String(index + 1);
        const side = weight < 0 ? 'lowers' : 'raises';
        item.innerHTML = `<span class="name">${name}</span><span class="track"><span class="fill ${side}"></span></span><span class="value">${signed(weight)}</span>`;
        const fill = item.querySelector('.fill');
        fill.style.width = `${(Math.abs(weight) / widest) * 50}%`;
        return item;
      }),
    );
  }
}
