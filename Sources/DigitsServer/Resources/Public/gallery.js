// The gallery: people's stored digits, newest first, as the network saw them; with the admin
// token entered, each can be deleted.
import { api } from './api.js';

const $ = (id) => document.getElementById(id);
const PER_PAGE = 24;

/** One digit as the gallery shows it: as the network saw it, its label and what the model had guessed. */
export function digitFigure(digit) {
  const item = document.createElement('li');
  const missed = digit.guessedLabel != null && digit.guessedLabel !== digit.label;
  const image = document.createElement('img');
  image.src = digit.image;
  image.alt = `A ${digit.label}${missed ? `, which the model had read as ${digit.guessedLabel}` : ''}`;
  const label = document.createElement('div');
  label.textContent = `labelled ${digit.label}`;
  const guessed = document.createElement('div');
  guessed.textContent = digit.guessedLabel == null ? '' : `guessed ${digit.guessedLabel}`;
  if (missed) guessed.className = 'miss';
  item.append(image, label, guessed);
  return item;
}

/** Adds a Delete button to a digit's item; `remove(button)` runs when it is pressed. */
export function withDeleteButton(item, ariaLabel, remove) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Delete';
  button.setAttribute('aria-label', ariaLabel);
  button.addEventListener('click', () => remove(button));
  item.append(button);
  return item;
}

export class Gallery {
  /** @param {{say: (text: string, kind?: string) => void, onDeleted?: () => void}} options */
  constructor({ say, onDeleted = () => {} }) {
    this.say = say;
    this.onDeleted = onDeleted;
    this.page = 1;
    this.token = sessionStorage.getItem('digits-admin-token') || '';
    $('admin-token').value = this.token;
    $('admin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.token = $('admin-token').value.trim();
      sessionStorage.setItem('digits-admin-token', this.token);
      this.say(this.token ? 'Admin token set: each digit now has a Delete button.' : 'Admin token cleared.');
      this.reload();
    });
    $('more').addEventListener('click', () => this.load(this.page + 1));
  }

  reload() {
    $('gallery').replaceChildren();
    return this.load(1);
  }

  async load(page) {
    try {
      const result = await api.digits(page, PER_PAGE);
      this.page = page;
      for (const digit of result.items) $('gallery').append(this.item(digit));
      $('more').hidden = page * PER_PAGE >= result.total;
      if (result.total === 0) {
        const empty = document.createElement('li');
        empty.textContent = 'No digits yet: yours will be the first.';
        $('gallery').append(empty);
      }
    } catch (error) {
      this.say(`The gallery could not be loaded: ${error.message}`, 'error');
    }
  }

  item(digit) {
    const item = digitFigure(digit);
    if (!this.token) return item;
    return withDeleteButton(item, `Delete this ${digit.label}`, (button) => this.remove(digit, item, button));
  }

  async remove(digit, item, button) {
    button.disabled = true;
    try {
      await api.deleteDigit(digit.id, this.token);
      item.remove();
      this.say(`Deleted the ${digit.label}.`);
      this.onDeleted();
    } catch (error) {
      button.disabled = false;
      this.say(`Not deleted: ${error.message}`, 'error');
    }
  }
}
