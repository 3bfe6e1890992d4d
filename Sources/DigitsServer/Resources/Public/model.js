// The model panel: the live version and its accuracies, a retraining's progress while it runs
// (pushed by the server as Server-Sent Events, polled where they fail; no reload), and a chart
// of accuracy across versions.
import { api } from './api.js';
import { ConfusionPanel } from './confusion.js';
import { ChangesPanel } from './changes.js';

const $ = (id) => document.getElementById(id);
const percent = (fraction) => (fraction == null ? '–' : `${(fraction * 100).toFixed(2)}%`);
const SVG = 'http://www.w3.org/2000/svg';
/** The chart's drawing area in its viewBox; beyond `dotsUpTo` versions the lines carry no dots,
 *  and beyond `pointsUpTo` each point of a line is the mean of neighbouring versions. */
const CHART = { width: 320, left: 36, right: 312, dotsUpTo: 40, pointsUpTo: 100 };

/** Which of `count` versions get a label: at most eight, evenly, and the last, which is drawn
 *  ending at the right edge and so keeps a step's room before it. */
function labelled(count) {
  const step = Math.ceil(count / 8);
  const indices = [];
  for (let index = 0; index < count - 1; index += step) if (count - 1 - index >= step) indices.push(index);
  return [...indices, count - 1];
}

/** `points` ([index, value]) as at most `most` points, each the mean of a run of neighbours. */
function averaged(points, most) {
  if (points.length <= most) return points;
  const run = Math.ceil(points.length / most);
  const means = [];
  for (let start = 0; start < points.length; start += run) {
    const chunk = points.slice(start, start + run);
    means.push([chunk.reduce((sum, p) => sum + p[0], 0) / chunk.length, chunk.reduce((sum, p) => sum + p[1], 0) / chunk.length]);
  }
  return means;
}

export class ModelPanel {
  /** @param {{onNewVersion: (version: number) => void, onVersions: (versions: object[], live: number) => void}} options */
  constructor({ onNewVersion, onVersions }) {
    this.onNewVersion = onNewVersion;
    this.onVersions = onVersions;
    this.changes = new ChangesPanel({
      onChosen: () => this.plot(),
      onDecided: async (text) => {
        $('model-passed').textContent = text;
        // An approval changes the live version, and the status redraws the versions for it.
        const live = this.liveVersion;
        await this.refresh();
        if (this.liveVersion === live) await this.drawChart();
      },
    });
    this.wasTraining = false;
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

  /** Shows a status; the versions are read again when the live one changed or a retraining ended (rejected, say). */
  async apply(status) {
    this.show(status);
    $('model-error').hidden = true;
    const ended = this.wasTraining && !status.training;
    this.wasTraining = Boolean(status.training);
    if (status.live.version !== this.liveVersion) {
      const first = this.liveVersion === null;
      this.liveVersion = status.live.version;
      await this.drawChart();
      if (!first) this.onNewVersion(status.live.version);
    } else if (ended) {
      await this.drawChart();
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
    // A held version's reason says so itself ("held for an admin's review: …").
    const how = passed && passed.outcome === 'held' ? '' : ` ${passed?.outcome}:`;
    if (passed) $('model-passed').textContent = `version ${passed.version}${how} ${passed.reason ?? 'no reason given'}`;
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

  /** Every version: the versions' lists and the chart, with the visitor's contributor. */
  async drawChart() {
    const { versions } = await api.models();
    this.confusion.setVersions(versions, this.liveVersion);
    this.changes.setVersions(versions, this.liveVersion);
    this.onVersions(versions, this.liveVersion);
    this.done = versions.filter((v) => v.testAccuracy != null).sort((a, b) => a.version - b.version);
    this.plot();
  }

  /**
   * Test and people's accuracy across versions. Reads at 20 versions and at 500: dots only while
   * they do not crowd, at most eight version labels, the chosen version marked; a click or tap
   * chooses the nearest version in the list of changes.
   */
  plot() {
    const done = this.done ?? [];
    const svg = $('chart');
    svg.replaceChildren();
    if (done.length === 0) return;
    const values = done.flatMap((v) => [v.testAccuracy, v.peopleAccuracy]).filter((value) => value != null);
    const low = Math.max(0, Math.floor(Math.min(...values) * 20) / 20);
    const [left, right, top, bottom] = [CHART.left, CHART.right, 10, 120];
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
    const run = Math.ceil(done.length / CHART.pointsUpTo);
    $('chart-note').textContent = run > 1 ? ` Each point of a line is the mean of ${run} neighbouring versions.` : '';
    for (const index of labelled(done.length)) {
      const anchor = index === 0 ? 'start' : index === done.length - 1 ? 'end' : 'middle';
      add('text', { x: x(index), y: 136, class: 'label', 'text-anchor': anchor }, `v${done[index].version}`);
    }
    const chosen = done.findIndex((v) => v.version === this.changes.version);
    if (chosen >= 0) add('line', { x1: x(chosen), x2: x(chosen), y1: top, y2: bottom, class: 'chosen' });
    for (const [key, name] of [['testAccuracy', 'test'], ['peopleAccuracy', 'people']]) this.line(done, key, name, { add, x, y });
    svg.onclick = (event) => {
      const box = svg.getBoundingClientRect();
      const at = ((event.clientX - box.left) / box.width) * CHART.width;
      const index = done.length === 1 ? 0 : Math.round(((at - left) / (right - left)) * (done.length - 1));
      this.changes.show(done[Math.max(0, Math.min(done.length - 1, index))].version);
      this.plot();
    };
  }

  /** One accuracy (`key`) across versions: a line, and a dot per version while they do not crowd. */
  line(done, key, name, { add, x, y }) {
    const points = done.map((v, index) => [index, v[key], v]).filter(([, value]) => value != null);
    const line = averaged(points, CHART.pointsUpTo);
    if (line.length > 1) add('polyline', { points: line.map(([i, value]) => `${x(i)},${y(value)}`).join(' '), class: `line ${name}` });
    if (points.length > CHART.dotsUpTo) return;
    for (const [i, value, v] of points) {
      const dot = add('circle', { cx: x(i), cy: y(value), r: 3, class: `dot ${name} ${v.outcome ?? ''}` });
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `version ${v.version} (${v.outcome ?? 'training'}): ${name === 'test' ? 'MNIST test' : 'people'} ${percent(value)}`;
      dot.append(title);
    }
  }
}
