// The drawing pad: strokes from pointer events (mouse, touch and pen alike) or from the
// keyboard, kept as points in a 0..1 square so that they can be redrawn exactly at any size or
// devicePixelRatio, and a PNG of what is drawn for the server.

/** The largest drawing the server reads, in pixels a side (DrawingLimits.maxSide). */
const MAX_SIDE = 2048;

/** Stroke width as a fraction of the pad's side: about what MNIST's pen looks like once the
 *  server scales a digit that fills the pad down to 20 pixels. */
const STROKE_WIDTH = 0.065;

/** How far an arrow key moves the keyboard pen, as a fraction of the pad; with Shift, more. */
const KEY_STEP = 0.02;
const KEY_STEP_LARGE = 0.08;
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onStroke: () => void, onStrokeEnd: () => void}} listeners
   */
  constructor(canvas, { onStroke, onStrokeEnd }) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.strokes = [];
    this.current = null;
    this.onStroke = onStroke;
    this.onStrokeEnd = onStrokeEnd;
    canvas.addEventListener('pointerdown', (event) => this.start(event));
    canvas.addEventListener('pointermove', (event) => this.extend(event));
    canvas.addEventListener('pointerup', (event) => this.finish(event));
    canvas.addEventListener('pointercancel', (event) => this.finish(event));
    // A long press on touch screens would otherwise open a menu.
    canvas.addEventListener('contextmenu', (event) => event.preventDefault());
    // The keyboard pen, for people who draw without a pointer: arrows move it, Space puts it
    // down or lifts it. Its cursor shows only while the pad has focus from the keyboard.
    this.cursor = { x: 0.5, y: 0.5 };
    this.keyboardStroke = null;
    this.showsCursor = false;
    canvas.addEventListener('keydown', (event) => this.key(event));
    canvas.addEventListener('blur', () => this.liftKeyboardPen(false));
    new ResizeObserver(() => this.fitBackingStore()).observe(canvas);
    this.fitBackingStore();
  }

  get isBlank() {
    return this.strokes.length === 0;
  }

  clear() {
    this.strokes = [];
    this.current = null;
    this.keyboardStroke = null;
    this.redraw();
  }

  undo() {
    this.strokes.pop();
    this.current = null;
    this.keyboardStroke = null;
    this.redraw();
  }

  /** The drawing as a PNG: dark strokes on white, at the pad's full resolution. The keyboard
   *  cursor is left out: toBlob copies the pixels when it is called, so the cursor is drawn
   *  back straight after. */
  toPNG() {
    const promise = new Promise((resolve, reject) => {
      this.redraw({ cursor: false });
      this.canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the drawing could not be encoded'))), 'image/png');
    });
    this.redraw();
    return promise;
  }

  /** Arrow keys move the keyboard pen (Shift: further), drawing while it is down; Space puts
   *  it down or lifts it. Other keys are left to the page (Enter guesses, Escape clears). */
  key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const arrow = ARROWS[event.key];
    if (arrow) {
      event.preventDefault();
      const step = event.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
      const clamp = (value) => Math.min(1, Math.max(0, value));
      this.cursor = { x: clamp(this.cursor.x + arrow[0] * step), y: clamp(this.cursor.y + arrow[1] * step) };
      this.showsCursor = true;
      if (this.keyboardStroke) {
        this.keyboardStroke.push({ ...this.cursor });
        this.onStroke();
      }
      this.redraw();
    } else if (event.key === ' ') {
      event.preventDefault();
      this.showsCursor = true;
      if (this.keyboardStroke) {
        this.liftKeyboardPen(true);
      } else {
        this.keyboardStroke = [{ ...this.cursor }];
        this.strokes.push(this.keyboardStroke);
        this.redraw();
        this.onStroke();
      }
    }
  }

  /** Ends the keyboard stroke, if any; leaving the pad also hides the cursor. */
  liftKeyboardPen(staysFocused) {
    const wasDrawing = this.keyboardStroke !== null;
    this.keyboardStroke = null;
    this.showsCursor = staysFocused && this.showsCursor;
    this.redraw();
    if (wasDrawing) this.onStrokeEnd();
  }

  /** Keeps the canvas' pixels matched to its size on screen times devicePixelRatio, so that
   *  strokes are sharp on high-DPI screens; the points stay where they were. */
  fitBackingStore() {
    const ratio = window.devicePixelRatio || 1;
    // The server reads drawings up to 2048 px a side; a pad zoomed past that is drawn at 2048.
    const side = Math.min(MAX_SIDE, Math.max(1, Math.round(this.canvas.clientWidth * ratio)));
    if (this.canvas.width !== side || this.canvas.height !== side) {
      this.canvas.width = side;
      this.canvas.height = side;
    }
    this.redraw();
  }

  /** Where a pointer event falls, from 0 to 1 across the drawing area. clientX/Y and the
   *  bounding box are both in viewport coordinates, so scrolling cancels out; clientLeft/Top
   *  skip the border. */
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left - this.canvas.clientLeft) / this.canvas.clientWidth,
      y: (event.clientY - box.top - this.canvas.clientTop) / this.canvas.clientHeight,
    };
  }

  start(event) {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.current = { pointerId: event.pointerId, points: [this.point(event)] };
    this.strokes.push(this.current.points);
    this.redraw();
    this.onStroke();
  }

  extend(event) {
    if (!this.current || event.pointerId !== this.current.pointerId) return;
    event.preventDefault();
    // Coalesced events carry the points a fast pen or finger made between frames.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of events.length > 0 ? events : [event]) this.current.points.push(this.point(each));
    this.redraw();
    this.onStroke();
  }

  finish(event) {
    if (!this.current || event.pointerId !== this.current.pointerId) return;
    this.current = null;
    this.onStrokeEnd();
  }

  redraw({ cursor = true } = {}) {
    const { context, canvas } = this;
    const side = canvas.width;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, side, side);
    context.strokeStyle = '#000000';
    context.fillStyle = '#000000';
    context.lineWidth = STROKE_WIDTH * side;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    for (const points of this.strokes) {
      if (points.length === 1) {
        // A tap is a dot.
        context.beginPath();
        context.arc(points[0].x * side, points[0].y * side, context.lineWidth / 2, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      context.beginPath();
      context.moveTo(points[0].x * side, points[0].y * side);
      for (const point of points.slice(1)) context.lineTo(point.x * side, point.y * side);
      context.stroke();
    }
    if (cursor && this.showsCursor) this.drawCursor(side);
  }

  /** The keyboard pen: a ring the stroke's size, filled while the pen is down. */
  drawCursor(side) {
    const { context } = this;
    context.beginPath();
    context.arc(this.cursor.x * side, this.cursor.y * side, (STROKE_WIDTH * side) / 2 + 2, 0, 2 * Math.PI);
    context.lineWidth = Math.max(2, side / 140);
    context.strokeStyle = '#0b57d0';
    context.stroke();
    if (this.keyboardStroke) {
      context.fillStyle = 'rgba(11, 87, 208, 0.35)';
      context.fill();
    }
  }
}
