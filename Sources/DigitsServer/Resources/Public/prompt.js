// After an answer, a digit to draw next if the person likes: one the live model reads worst on
// people's held-out drawings (GET /api/prompt), never the same twice in a row. A line of text,
// easy to ignore; a failure to fetch it is silent, since nothing depends on it.
import { api } from './api.js';

const $ = (id) => document.getElementById(id);

export class PromptLine {
  constructor() {
    this.last = null;
  }

  /** Once a guess shows, the suggestion has done its work (and a phone needs the room). */
  hide() {
    $('prompt').hidden = true;
  }

  async next() {
    try {
      const prompt = await api.prompt(this.last);
      this.last = prompt.digit;
      $('prompt').textContent = `Next, if you like: ${prompt.sentence}.`;
      $('prompt').dataset.digit = String(prompt.digit);
      $('prompt').hidden = false;
    } catch {
      $('prompt').hidden = true;
    }
  }
}
