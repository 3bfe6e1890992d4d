// The guess panel: the ten activations as bars, the 28x28 image the network saw, and the
// person's answer (Correct, or Wrong and the right digit), stored once per drawing.
import { api } from './api.js';

const $ = (id) => document.getElementById(id);

export class GuessPanel {
  /**
   * @param {{pad: import('./drawing.js').DrawingPad, say: (text: string, kind?: string) => void,
   *          onStored: (stored: object) => void, onShown: (result: object | null) => void}} options
   */
  constructor({ pad, say, onStored, onShown }) {
    this.pad = pad;
    this.say = say;
    this.onStored = onStored;
    this.onShown = onShown;
    /** Bumped whenever the drawing changes: answers for an older drawing are dropped. */
    this.drawingNumber = 0;
    this.latest = null;
    this.storing = false;
    this.buildBars();
    this.buildPicker();
    $('correct').addEventListener('click', () => this.latest && this.store(this.latest.digit));
    $('wrong').addEventListener('click', () => this.openPicker());
  }

  buildBars() {
    const bars = $('bars');
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement('li');
      item.innerHTML = `<span class="name">${digit}</span><span class="track"><span class="fill"></span></span><span class="value">–</span>`;
      bars.append(item);
    }
  }

  buildPicker() {
    const digits = $('picker-digits');
    for (let digit = 0; digit < 10; digit++) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = String(digit);
      button.setAttribute('aria-label', `It is a ${digit}`);
      button.addEventListener('click', () => this.store(digit));
      digits.append(button);
    }
  }

  /** The drawing changed: earlier answers no longer apply. */
  drawingChanged() {
    this.drawingNumber += 1;
  }

  reset() {
    this.drawingChanged();
    this.latest = null;
    $('guess-panel').hidden = true;
    $('guess-empty').hidden = false;
    $('picker').hidden = true;
    this.onShown(null);
  }

  async guess() {
    if (this.pad.isBlank) {
      this.reset();
      this.say('Draw a digit first: the pad is empty.');
      return;
    }
    const number = this.drawingNumber;
    try {
      const png = await this.pad.toPNG();
      const result = await api.explain(png);
      if (number !== this.drawingNumber) return;
      this.show(result);
    } catch (error) {
      if (number !== this.drawingNumber) return;
      if (error.status === 422) this.reset();
      this.say(error.message, 'error');
    }
  }

  show(result) {
    this.latest = { ...result, drawingNumber: this.drawingNumber };
    $('guess-panel').hidden = false;
    $('guess-empty').hidden = true;
    // Sure: "It reads 3", Correct or Wrong. Not sure: "Not sure: 3 or 9?", each candidate a
    // button that stores it, and Neither for the rest (GuessCertainty on the server).
    const unsure = result.sure === false && Array.isArray(result.candidates) && result.candidates.length > 1;
    $('verdict-lead').textContent = unsure ? 'Not sure:' : 'It reads';
    $('digit').textContent = unsure ? `${result.candidates.slice(0, -1).join(', ')} or ${result.candidates.at(-1)}?` : String(result.digit);
    $('feedback-question').textContent = unsure ? 'Which is it?' : 'Is it right?';
    $('correct').hidden = unsure;
    $('wrong').textContent = unsure ? 'Neither…' : 'Wrong…';
    const candidates = $('candidates');
    candidates.hidden = !unsure;
    candidates.replaceChildren(...(unsure ? result.candidates : []).map((digit, index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `It is a ${digit}`;
      if (index === 0) button.className = 'primary';
      button.addEventListener('click', () => this.store(digit));
      return button;
    }));
    // Said to screen readers politely, once per guess shown.
    $('guess-said').textContent = unsure
      ? `Not sure: ${result.candidates.slice(0, -1).join(', ')} or ${result.candidates.at(-1)}`
      : `Read as ${result.digit}, sure`;
    $('version').textContent = ` (model version ${result.modelVersion})`;
    $('seen').src = result.image;
    $('digit').dataset.digit = String(result.digit);
    const items = $('bars').children;
    // A phone shows only the three most active bars (style.css).
    const leaders = result.percentages.map((percent, digit) => [percent, digit]).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, digit]) => digit);
    result.percentages.forEach((percent, digit) => {
      const item = items[digit];
      item.classList.toggle('top', digit === result.digit);
      item.classList.toggle('minor', !leaders.includes(digit));
      item.querySelector('.fill').style.width = `${percent}%`;
      item.querySelector('.value').textContent = `${percent.toFixed(1)}%`;
      item.setAttribute('aria-label', `${digit}: activation ${percent.toFixed(1)} percent${digit === result.digit ? ', the guess' : ''}`);
    });
    this.setAnswering(false);
    this.onShown(result);
  }

  openPicker() {
    if (!this.latest) return;
    $('picker').hidden = false;
    $('picker-digits').firstElementChild.focus();
  }

  get pickerOpen() {
    return !$('picker').hidden;
  }

  setAnswering(busy) {
    for (const button of document.querySelectorAll('#correct, #wrong, #candidates button, #picker-digits button')) button.disabled = busy;
  }

  /** Stores the drawing with `label`, once: the buttons are disabled while it is sent, and a
   *  drawing already stored or changed since its guess is not sent again. */
  async store(label) {
    if (this.storing || !this.latest || this.latest.drawingNumber !== this.drawingNumber || this.pad.isBlank) return;
    this.storing = true;
    this.setAnswering(true);
    const number = this.drawingNumber;
    try {
      const png = await this.pad.toPNG();
      const stored = await api.store(png, label);
      if (number === this.drawingNumber) this.pad.clear();
      this.reset();
      const set = stored.set === 'held-out' ? 'kept aside to measure accuracy on people’s drawings' : 'added to the training data';
      const next = stored.retrainingStarted
        ? `That was the tenth: retraining has started (version ${stored.retrainingStarted}).`
        : `${stored.digitsUntilRetraining} more ${stored.digitsUntilRetraining === 1 ? 'digit' : 'digits'} until the model retrains.`;
      this.say(`Thanks! Stored as a ${stored.label}, ${set}. ${next}`, 'good');
      this.onStored(stored);
    } catch (error) {
      this.say(`Not stored: ${error.message}`, 'error');
      this.setAnswering(false);
    } finally {
      this.storing = false;
    }
  }
}
