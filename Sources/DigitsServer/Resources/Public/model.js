// The model panel: the live version and its accuracies, a retraining's progress while it runs
// (pushed by the server as Server-Sent Events, polled where they fail; no reload), and a chart
// of accuracy across versions.
import { api } from './api.js';
import { ConfusionPanel } from './confusion.js';

const $ = (id) => document.getElementById(id);
const percent = (fraction) => (fraction == null ? '–' : `${(fraction * 100).toFixed(2)}%`);
const SVG = 'http://www.w3.org/2000/svg';

export class ModelPanel {
  /** @param {{onNewVersion: (version: number) => void}} options */
  constructor({ onNewVersion }) {
    this.onNewVersion = onNewVersion;
    this.liveVersion = null;
    this.timer = null;
    this.events = null;
    this.confusion = new ConfusionPanel();
  }

  /**
   * Follows the model's status: pushed through /api/model/events while that stream works (the
   * browser reconnects it by itself after a drop), else polled, every 5 s or every second while
   * a retraining runs.
   */
  follow() {
    if (!('EventSource' in window)) {
      this.refresh();
      return;
    }
    const events = new EventSource('/api/model/events');
    this.events = events;
    events.onmessage = (message) => {
      clearTimeout(this.timer);
      this.apply(JSON.parse(message.data));
    };
    events.onerror = () => {
      // CLOSED: the browser gave up (the server refused the stream); poll from now on.
      if (events.readyState === EventSource.CLOSED) {
        this.events = null;
        this.refresh();
      }
    };
  }

  /** Reads the chosen version's mistakes again: a digit just stored may be held out. */
  refreshMistakes() {
    if (this.confusion.version != null) this.confusion.show(this.confusion.version);
  }

  /** Reads the status now (after a store, say); polls on while no stream pushes it. */
  async refresh() {
    clearTimeout(this.timer);
    let training = false;
    try {
      const status = await api.model();
      training = Boolean(status.training);
      await this.apply(status);
    } catch (error) {
      $('model-error').textContent = `The model's state is unavailable: ${error.message}`;
      $('model-error').hidden = false;
    }
    if (!this.events) this.timer = setTimeout(() => this.refresh(), training ? 1000 : 5000);
  }

  async apply(status) {
    this.show(status);
    $('model-error').hidden = true;
    if (status.live.version !== this.liveVersion) {
      const first = this.liveVersion === null;
      this.liveVersion = status.live.version;
      await this.drawChart();
      if (!first) this.onNewVersion(status.live.version);
    }
  }

  show(status) {
    const { live, training } = status;
    $('model-version').textContent = `version ${live.version}`;
    $('model-test').textContent = percent(live.testAccuracy);
    $('model-people').textContent =
      live.peopleAccuracy == null
        ? 'not measured yet'
        : `${percent(live.peopleAccuracy)} of ${live.peopleHeldOut ?? 'the'} held-out drawings`;
    const passed = status.lastNotPromoted;
    $('model-passed-row').hidden = !passed;
    $('model-passed').hidden = !passed;
    if (passed) $('model-passed').textContent = `version ${passed.version} ${passed.outcome}: ${passed.reason ?? 'no reason given'}`;
    $('model-next').textContent = training
      ? 'running now'
      : `after ${status.digitsUntilRetraining} more ${status.digitsUntilRetraining === 1 ? 'digit' : 'digits'}`;
    $('training').hidden = !training;
    if (training) {
      const doing = {
        'waiting for a trainer': `Version ${training.version} waits for a trainer to take it.`,
        reading: `Reading the digits for version ${training.version}.`,
        judging: `Judging version ${training.version} against the live model.`,
        promoting: `Making version ${training.version} live.`,
      };
      $('training-text').textContent =
        doing[training.stage] ?? `Training version ${training.version}: epoch ${training.epoch} of ${training.epochs}.`;
      $('training-progress').value = training.progress;
    }
  }

  /** Test accuracy and people's accuracy of every version that finished training. */
  async drawChart() {
    const { versions } = await api.models();
    this.confusion.setVersions(versions, this.liveVersion);
    const done = versions.filter((v) => v.testAccuracy != null).sort((a, b) => a.version - b.version);
    const svg = $('chart');
    svg.replaceChildren();
    if (done.length === 0) return;
    const values = done.flatMap((v) => [v.testAccuracy, v.peopleAccuracy]).filter((x) => x != null);
    const low = Math.max(0, Math.floor(Math.min(...values) * 20) / 20);
    const [left, right, top, bottom] = [36, 312, 10, 120];
    const x = (index) => (done.length === 1 ? (left + right) / 2 : left + ((right - left) * index) / (done.length - 1));
    const y = (fraction) => bottom - ((bottom - top) * (fraction - low)) / (1 - low || 1);
    const add = (name, attributes, text) => {
      const node = document.createElementNS(SVG, name);
      for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
      if (text) node.textContent = text;
      svg.append(node);
      return node;
    };
    for (const level of [low, (low + 1) / 2, 1]) {
      add('line', { x1: left, x2: right, y1: y(level), y2: y(level), class: 'axis' });
      add('text', { x: 2, y: y(level) + 3, class: 'label' }, `${Math.round(level * 100)}%`);
    }
    done.forEach((v, index) => add('text', { x: x(index) - 4, y: 136, class: 'label' }, `v${v.version}`));
    for (const [key, name] of [['testAccuracy', 'test'], ['peopleAccuracy', 'people']]) {
      const points = done.map((v, index) => [index, v[key], v]).filter(([, value]) => value != null);
      if (points.length > 1) add('polyline', { points: points.map(([i, value]) => `${x(i)},${y(value)}`).join(' '), class: name });
      for (const [i, value, v] of points) {
        const dot = add('circle', { cx: x(i), cy: y(value), r: 3, class: name });
        const title = document.createElementNS(SVG, 'title');
        title.textContent = `version ${v.version} (${v.outcome ?? 'training'}): ${name === 'test' ? 'MNIST test' : 'people'} ${percent(value)}`;
        dot.append(title);
      }
    }
  }
}
