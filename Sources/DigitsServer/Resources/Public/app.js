// Wires the page together: drawing, live guesses, answers, the model panel and the gallery.
import { DrawingPad } from './drawing.js';
import { GuessPanel } from './guess.js';
import { ModelPanel } from './model.js';
import { Gallery } from './gallery.js';
import { MyDigits } from './mine.js';
import { InsidePanel } from './inside.js';
import { PromptLine } from './prompt.js';

const $ = (id) => document.getElementById(id);

/** Shows a sentence under the pad; `kind` is 'good', 'error' or nothing. */
function say(text, kind = '') {
  $('message').textContent = text;
  $('message').className = `message ${kind}`;
}

/** A guess while drawing, at most one per pause: 400 ms after the pen last moved. */
const LIVE_GUESS_DELAY = 400;
let liveGuessTimer = null;

const pad = new DrawingPad($('pad'), {
  onStroke() {
    guesses.drawingChanged();
    clearTimeout(liveGuessTimer);
    liveGuessTimer = setTimeout(() => guesses.guess(), LIVE_GUESS_DELAY);
  },
  onStrokeEnd() {
    clearTimeout(liveGuessTimer);
    liveGuessTimer = setTimeout(() => guesses.guess(), 100);
  },
});
// The admin's deletions can take the visitor's own digits too.
const gallery = new Gallery({ say, onDeleted: () => mine.reload() });
const mine = new MyDigits({
  say,
  onDeleted() {
    model.refresh();
    gallery.reload();
  },
});
const inside = new InsidePanel();
const prompt = new PromptLine();
const model = new ModelPanel({
  onNewVersion(version) {
    say(`The model has retrained: version ${version} is live.`, 'good');
  },
  onVersions: (versions, live) => inside.setVersions(versions, live),
});
const guesses = new GuessPanel({
  pad,
  say,
  onStored() {
    prompt.next();
    model.refresh();
    model.refreshMistakes();
    gallery.reload();
    mine.reload();
  },
  onShown(result) {
    inside.show(result);
    if (result) prompt.hide();
  },
});

function clearPad() {
  clearTimeout(liveGuessTimer);
  pad.clear();
  guesses.reset();
  say('');
}

$('guess').addEventListener('click', () => guesses.guess());
$('clear').addEventListener('click', clearPad);
$('undo').addEventListener('click', () => {
  pad.undo();
  guesses.drawingChanged();
  if (pad.isBlank) guesses.reset();
  else guesses.guess();
});

document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement) return;
  if (event.key === 'Escape') {
    clearPad();
  } else if (/^[0-9]$/.test(event.key) && guesses.latest && !event.ctrlKey && !event.metaKey && !event.altKey) {
    // Typing a digit answers: the right digit, whether or not it is the guess.
    event.preventDefault();
    guesses.store(Number(event.key));
  } else if (event.key === 'Enter' && event.target === $('pad')) {
    guesses.guess();
  }
});

model.follow();
gallery.reload();
mine.reload();
