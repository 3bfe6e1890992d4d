// Your digits: the ones this browser gave (the server knows them by its contributor cookie),
// each with a Delete button, and Delete all.
import { api } from './api.js';
import { digitFigure, withDeleteButton } from './gallery.js';

const $ = (id) => document.getElementById(id);
const PER_PAGE = 24;

export class MyDigits {
  /** @param {{say: (text: string, kind?: string) => void, onDeleted: () => void}} options */
  constructor({ say, onDeleted }) {
    this.say = say;
    this.onDeleted = onDeleted;
    this.page = 1;
    this.total = 0;
    $('mine-more').addEventListener('click', () => this.load(this.page + 1));
    $('mine-delete-all').addEventListener('click', () => this.removeAll());
  }

  reload() {
    $('mine').replaceChildren();
    return this.load(1);
  }

  async load(page) {
    try {
      const result = await api.myDigits(page, PER_PAGE);
      this.page = page;
      this.total = result.total;
      for (const digit of result.items) $('mine').append(this.item(digit));
      this.update();
    } catch (error) {
      this.say(`Your digits could not be loaded: ${error.message}`, 'error');
    }
  }

  update() {
    const shown = $('mine').querySelectorAll('li[data-id]').length;
    $('mine-more').hidden = shown >= this.total;
    $('mine-delete-all').hidden = this.total === 0;
    if (this.total === 0 && !$('mine').querySelector('li')) {
      const empty = document.createElement('li');
      empty.textContent = 'None yet: answer a guess and your digit appears here.';
      $('mine').append(empty);
    }
  }

  item(digit) {
    const item = digitFigure(digit);
    item.dataset.id = digit.id;
    return withDeleteButton(item, `Delete your ${digit.label}`, (button) => this.remove(digit, item, button));
  }

  async remove(digit, item, button) {
    button.disabled = true;
    try {
      await api.deleteMyDigit(digit.id);
      item.remove();
      this.total -= 1;
      this.update();
      this.say(`Deleted your ${digit.label}: the next retraining learns without it.`);
      this.onDeleted();
    } catch (error) {
      button.disabled = false;
      this.say(`Not deleted: ${error.message}`, 'error');
    }
  }

  async removeAll() {
    if (!window.confirm('Delete every digit you gave? The next retraining learns without them.')) return;
    try {
      const result = await api.deleteAllMyDigits();
      this.say(`Deleted your ${result.deleted} digit${result.deleted === 1 ? '' : 's'}.`);
      this.onDeleted();
    } catch (error) {
      this.say(`Not deleted: ${error.message}`, 'error');
    }
    this.reload();
  }
}
