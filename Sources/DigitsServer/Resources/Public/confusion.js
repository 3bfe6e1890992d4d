// What a version gets wrong: per digit, its accuracy on people's held-out drawings, and a
// 10x10 matrix (drawn against read) whose cells open the drawings in them.
import { api } from './api.js';
import { digitFigure } from './gallery.js';

const $ = (id) => document.getElementById(id);
const percent = (fraction) => (fraction == null ? '–' : `${Math.round(fraction * 100)}%`);
const PER_PAGE = 24;

export class ConfusionPanel {
  constructor() {
    this.version = null;
    this.shown = null;
    $('model-choice').addEventListener('change', () => this.show(Number($('model-choice').value)));
  }

  /** Lists the versions that have a network, choosing `live` unless another was chosen. */
  setVersions(versions, live) {
    const choice = $('model-choice');
    const chosen = this.version ?? live;
    choice.replaceChildren(
      ...versions
        .filter((v) => v.outcome != null)
        .map((v) => {
          const option = document.createElement('option');
          option.value = String(v.version);
          option.textContent = `version ${v.version}${v.version === live ? ' (live)' : ` (${v.outcome})`}`;
          return option;
        }),
    );
    choice.value = String(chosen);
    if (choice.value !== String(chosen)) choice.value = String(live);
    this.show(Number(choice.value));
  }

  /** Shows `version`'s matrix; again when asked again (people's digits change). */
  async show(version) {
    this.version = version;
    let result;
    try {
      result = await api.confusion(version);
    } catch (error) {
      $('confusion-summary').textContent = `The mistakes of version ${version} are unavailable: ${error.message}`;
      return;
    }
    if (version !== this.version) return;
    $('confusion-summary').textContent =
      result.heldOut === 0
        ? 'No held-out drawings yet: every fifth digit people store is kept aside to measure this.'
        : `Version ${version} reads ${percent(result.accuracy)} of ${result.heldOut} held-out drawings right. Rows: the digit drawn; columns: what it read. Pick a number off the diagonal to see those drawings.`;
    this.drawTable(result);
    if (this.shown && this.shown.version === version) this.openCell(this.shown.label, this.shown.read, this.shown.count);
    else $('misread').hidden = true;
  }

  drawTable(result) {
    const table = $('confusion');
    const head = document.createElement('tr');
    head.append(cell('th', 'read →\ndrawn ↓', 'col'));
    for (let read = 0; read < 10; read++) head.append(cell('th', String(read), 'col'));
    head.append(cell('th', 'right', 'col'));
    const rows = result.matrix.map((counts, label) => {
      const row = document.createElement('tr');
      row.append(cell('th', String(label), 'row'));
      counts.forEach((count, read) => {
        const td = document.createElement('td');
        if (label === read) {
          td.className = 'hit';
          td.textContent = count ? String(count) : '';
        } else if (count > 0) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = String(count);
          button.setAttribute('aria-label', `${count} ${count === 1 ? 'drawing' : 'drawings'} of ${label} read as ${read}`);
          button.addEventListener('click', () => this.openCell(label, read, count));
          td.append(button);
        }
        row.append(td);
      });
      const accuracy = result.digits[label].accuracy;
      const right = cell('td', percent(accuracy));
      right.className = accuracy != null && accuracy < 0.9 ? 'right low' : 'right';
      row.append(right);
      return row;
    });
    table.replaceChildren(head, ...rows);
  }

  /** The drawings of `label` that the chosen version read as `read`. */
  async openCell(label, read, count) {
    const version = this.version;
    this.shown = { version, label, read, count };
    try {
      const page = await api.confusionCell(version, label, read, 1, PER_PAGE);
      if (version !== this.version) return;
      $('misread-title').textContent = `Drawings of ${label} that version ${version} read as ${read} (${page.total}${page.total > PER_PAGE ? `, the newest ${PER_PAGE}` : ''}):`;
      $('misread-list').replaceChildren(...page.items.map(digitFigure));
      $('misread').hidden = false;
    } catch (error) {
      $('misread-title').textContent = `Those drawings are unavailable: ${error.message}`;
      $('misread-list').replaceChildren();
      $('misread').hidden = false;
    }
  }
}

function cell(kind, text, scope) {
  const node = document.createElement(kind);
  node.textContent = text;
  if (scope) node.scope = scope;
  return node;
}
