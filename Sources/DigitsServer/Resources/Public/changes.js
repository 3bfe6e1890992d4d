// What each version changed: per digit, people's held-out digits read right before → after
// (coloured by the change), how many digits of how many contributors it learned from, why it
// was or was not promoted, and whether it learned the visitor's own digits.
import { api } from './api.js';

const $ = (id) => document.getElementById(id);
const share = (right, count) => (count === 0 ? '–' : `${Math.round((right / count) * 100)}%`);

export class ChangesPanel {
  /** @param {{onChosen: () => void, onDecided: (text: string) => void}} options: told when the
   *  person chose another version, and when an admin decided on a held one. */
  constructor({ onChosen, onDecided }) {
    this.versions = [];
    this.version = null;
    this.onDecided = onDecided;
    $('review-approve').addEventListener('click', () => this.decide('approve'));
    $('review-discard').addEventListener('click', () => this.decide('discard'));
    $('change-choice').addEventListener('change', () => {
      this.show(Number($('change-choice').value));
      onChosen();
    });
  }

  /** Every version, newest first as the API gives them; shows `live` unless another was chosen. */
  setVersions(versions, live) {
    this.versions = versions;
    const select = $('change-choice');
    select.replaceChildren(
      ...versions.map((v) => {
        const state = v.isTraining ? 'training' : v.isLive ? 'live' : v.outcome;
        return new Option(`version ${v.version} (${state})${v.yourDigits ? ' · your digits' : ''}`, String(v.version));
      }),
    );
    this.sayYours(live);
    this.show(this.version ?? live);
  }

  /** "Your digits are in version N": the versions that first learned the visitor's digits. */
  sayYours(live) {
    const yours = this.versions.filter((v) => v.yourDigits && v.outcome === 'promoted');
    $('yours').hidden = yours.length === 0;
    if (yours.length === 0) return;
    const named = yours.slice(0, 3).map((v) => `${v.version}${v.version === live ? ' (live)' : ''}, which learned ${v.yourDigits} of them`);
    const more = yours.length > 3 ? `, and ${yours.length - 3} earlier versions` : '';
    $('yours').textContent = `Your digits are in version ${named.join('; version ')}${more}.`;
  }

  show(version) {
    const v = this.versions.find((candidate) => candidate.version === version) ?? this.versions[0];
    if (!v) return;
    this.version = v.version;
    $('change-choice').value = String(v.version);
    const state = v.isTraining ? 'training now' : v.isLive ? 'live' : v.outcome;
    $('change-outcome').textContent = `Version ${v.version}, ${state}${v.reason ? `: ${v.reason}` : '.'}`;
    this.showReview(v);
    const changes = v.changes;
    $('change-yours').hidden = !v.yourDigits;
    $('change-yours').textContent = v.yourDigits ? `Your digits are in version ${v.version}: it learned ${v.yourDigits} of them.` : '';
    if (!changes) {
      $('change-learned').textContent =
        v.version === 1 ? 'The first model: trained on MNIST alone, with nothing to compare it with.' : 'Its changes were not recorded (it was not judged, or was judged before they were kept).';
      $('change-digits').replaceChildren();
      $('change-judged').hidden = true;
      return;
    }
    const contributors = (n) => `${n} ${n === 1 ? 'contributor' : 'contributors'}`;
    $('change-learned').textContent =
      `Learned from ${changes.learnedDigits} of people's digits, from ${contributors(changes.learnedContributors)}: ` +
      `${changes.newDigits} new since version ${changes.comparedWith}, from ${contributors(changes.newContributors)}.`;
    const judged = changes.perDigit.some((d) => d.heldOut > 0);
    $('change-judged').hidden = judged;
    if (judged) this.table(changes, v.version);
    else $('change-digits').replaceChildren();
  }

  /** A held version: an admin (with the token entered under People's digits) approves or discards it. */
  showReview(v) {
    const token = sessionStorage.getItem('digits-admin-token') || '';
    $('review').hidden = v.outcome !== 'held';
    $('review-text').textContent = token
      ? `Version ${v.version} waits for your review: approve it to make it live, or discard it.`
      : `Version ${v.version} waits for an admin's review: with the admin token entered (under People's digits) you can approve or discard it.`;
    for (const id of ['review-approve', 'review-discard']) $(id).hidden = !token;
  }

  async decide(action) {
    const version = this.version;
    const token = sessionStorage.getItem('digits-admin-token') || '';
    try {
      if (action === 'approve') await api.approveVersion(version, token);
      else await api.discardVersion(version, token);
      this.onDecided(action === 'approve' ? `Version ${version} approved: it is live.` : `Version ${version} discarded.`);
    } catch (error) {
      $('review-text').textContent = `Not done: ${error.message}`;
    }
  }

  /** Per digit: held-out count, before, after, and the change in points, coloured. */
  table(changes, version) {
    const head = document.createElement('tr');
    for (const text of ['Digit', 'Held out', `v${changes.comparedWith}`, `v${version}`, 'Change']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = text;
      head.append(th);
    }
    const rows = changes.perDigit.map((d) => {
      const row = document.createElement('tr');
      const points = d.heldOut === 0 ? null : Math.round(((d.rightAfter - d.rightBefore) / d.heldOut) * 100);
      const change = points == null ? '–' : points === 0 ? '0' : `${points > 0 ? '+' : '−'}${Math.abs(points)} points`;
      const kind = points == null || points === 0 ? 'same' : points > 0 ? 'better' : 'worse';
      const cells = [String(d.digit), String(d.heldOut), share(d.rightBefore, d.heldOut), share(d.rightAfter, d.heldOut), change];
      cells.forEach((text, index) => {
        const cell = document.createElement(index === 0 ? 'th' : 'td');
        if (index === 0) cell.scope = 'row';
        cell.textContent = text;
        if (index === 4) cell.className = kind;
        row.append(cell);
      });
      return row;
    });
    const caption = document.createElement('caption');
    caption.textContent = `People's held-out digits read right, by version ${changes.comparedWith} (before) and version ${version} (after)`;
    $('change-digits').replaceChildren(caption, head, ...rows);
  }
}
