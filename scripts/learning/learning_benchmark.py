"""The learning benchmark that scripts/learning-benchmark runs: see there for what it measures.

Real pen handwriting (../shared/data/pendigits), split by writer: by default writers tra-01..tra-20
contribute digits through a real `digits serve`'s API, each as a contributor of its own on an
address of its own (behind a trusted proxy, the way a deployment sees people), and writers
tra-21..tra-30 are only read (--read-writers picks others to read). Every scenario starts from the
same database: MNIST imported and the first model trained, made once per work folder.
"""
import argparse
import base64
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

CONTRIBUTING = [f"tra-{n:02d}" for n in range(1, 21)]
READ = [f"tra-{n:02d}" for n in range(21, 31)]
TOKEN = "learning-benchmark-token"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--digits", required=True, help="the digits binary")
    parser.add_argument("--pendigits", required=True, help="the folder with pendigits_train_writers.jsonl.gz and render.py")
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--work", required=True, help="a folder for databases, logs and the curve")
    parser.add_argument("--port", type=int, default=18600)
    parser.add_argument("--contributions", type=int, default=1000)
    parser.add_argument("--step", type=int, default=100, help="measure after every this many contributions")
    parser.add_argument("--scenarios", default="honest,poison-one,poison-three")
    parser.add_argument("--serve-arg", action="append", default=[], help="one more argument for digits serve (repeatable)")
    parser.add_argument("--read-writers", default="21-30",
                        help="the writers only read, as a range of tra- numbers (the other 20 contribute): "
                             "1-10 or 11-20 check that a setting chosen on the default split holds for other people")
    parser.add_argument("--quick", action="store_true", help="wait for retrainings only at each step, not after every 10th digit")
    parser.add_argument("--runs", type=int, default=10, help="how many runs of each crowd scenario, each with its own order")
    return parser.parse_args()


class Server:
    """A `digits serve` on loopback on a copy of the prepared database."""

    def __init__(self, args, name, database, extra=()):
        self.port = args.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(args.work, f"{name}.log"), "w")
        environment = dict(os.environ, DIGITS_ADMIN_TOKEN=TOKEN, DIGITS_STORES_PER_MINUTE="0")
        command = [args.digits, "serve", "--database", database, "--port", str(self.port), "--data", args.mnist,
                   "--admin-token-file", os.path.join(args.work, "admin-token"), "--trusted-proxy", "127.0.0.1",
                   *args.serve_arg, *extra]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.time() + 900
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"digits serve stopped; see {self.log.name}")
            status, _, _ = self.request("GET", "/health")
            if status == 200:
                return
            time.sleep(0.5)
        sys.exit("digits serve did not become healthy")

    def request(self, method, path, body=None, headers=None):
        if isinstance(body, bytes):
            data, all_headers = body, {"Content-Type": "image/png"}
        else:
            data = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json"} if body is not None else {}
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read() or b"null"), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers
        except (urllib.error.URLError, ConnectionError):
            return 0, None, {}

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def model(self):
        return self.request("GET", "/api/model")[1]

    def versions(self):
        return self.request("GET", "/api/models")[1]["versions"]

    def wait_until_idle(self, timeout=600):
        """Waits until no version is training and no retraining is due."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.model()
            if status and status.get("training") is None and not any(v["isTraining"] for v in self.versions()):
                return status
            time.sleep(0.05)
        sys.exit("a retraining did not finish in time")

    def wait_for(self, version, timeout=600):
        """Waits until `version` is closed; returns its row."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for row in self.versions():
                if row["version"] == version and not row["isTraining"]:
                    return row
            time.sleep(0.02)
        sys.exit(f"version {version} did not finish in time")


class Contributor:
    """One person: a contributor id the server issues on the first store, and an address."""

    def __init__(self, name, address):
        self.name = name
        self.address = address
        self.id = None

    def store(self, server, png, label):
        headers = {"X-Forwarded-For": self.address}
        if self.id:
            headers["Digits-Contributor"] = self.id
        status, body, response_headers = server.request(
            "POST", "/api/digits", {"image": base64.b64encode(png).decode(), "label": label}, headers)
        if status != 201:
            sys.exit(f"storing a digit for {self.name} answered {status}: {body}")
        self.id = response_headers.get("Digits-Contributor") or self.id
        return body


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_all(args, render):
    """Every pen digit drawn as the page's canvas would send it, cached in the work folder."""
    cache = os.path.join(args.work, "pendigits-rendered.json")
    if os.path.exists(cache):
        with open(cache) as file:
            return json.load(file)
    records = render.load_jsonl(os.path.join(args.pendigits, "pendigits_train_writers.jsonl.gz"))
    digits = []
    for record in records:
        image, _, _ = render.render_record(record, seed=0, style="transparent")
        digits.append({"id": record["id"], "label": record["label"], "writer": record["writer"],
                       "png": base64.b64encode(png_bytes(image)).decode()})
    with open(cache, "w") as file:
        json.dump(digits, file)
    return digits


def read_accuracy(server, digits, certainty=None):
    """Accuracy on the read writers, per class, and the guesses; with a `certainty` dict, also
    how the guesses the API calls sure fare against those it does not."""
    right = [0] * 10
    count = [0] * 10
    guesses = []
    for digit in digits:
        status, body, _ = server.request("POST", "/api/guess", base64.b64decode(digit["png"]))
        if status != 200:
            sys.exit(f"a guess answered {status}: {body}")
        guesses.append(body["digit"])
        count[digit["label"]] += 1
        right[digit["label"]] += body["digit"] == digit["label"]
        if certainty is not None:
            kind = "sure" if body["sure"] else "unsure"
            certainty[kind] = certainty.get(kind, 0) + 1
            certainty[kind + " right"] = certainty.get(kind + " right", 0) + (body["digit"] == digit["label"])
            certainty[kind + " offered"] = certainty.get(kind + " offered", 0) + (digit["label"] in body["candidates"])
    return sum(right) / sum(count), [r / c if c else 0 for r, c in zip(right, count)], guesses


def certainty_line(certainty):
    """How often sure and not-sure guesses were right (and, when not sure, the digit offered)."""
    sure, unsure = certainty.get("sure", 0), certainty.get("unsure", 0)
    total = sure + unsure
    if total == 0:
        return "no guesses"
    line = f"sure {percent(sure / total)} of guesses, right {percent(certainty['sure right'] / sure) if sure else 'n/a'}"
    if unsure:
        line += (f"; not sure {percent(unsure / total)}, right {percent(certainty['unsure right'] / unsure)}, "
                 f"the digit among the 2-3 offered {percent(certainty['unsure offered'] / unsure)}")
    return line


def sevens_read_as_one(guesses, digits):
    sevens = [g for g, d in zip(guesses, digits) if d["label"] == 7]
    return sum(g == 1 for g in sevens) / len(sevens)


def prepare(args):
    """The database every scenario starts from: MNIST imported, the first model trained."""
    prepared = os.path.join(args.work, "prepared.sqlite")
    if not os.path.exists(prepared):
        started = time.time()
        server = Server(args, "prepare", prepared + ".new")
        server.stop()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(prepared + ".new" + suffix):
                os.rename(prepared + ".new" + suffix, prepared + suffix)
        print(f"prepared the database (MNIST imported, first model trained) in {time.time() - started:.0f} s", flush=True)
    return prepared


def fresh_copy(args, prepared, name):
    database = os.path.join(args.work, f"{name}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
        if os.path.exists(prepared + suffix):
            shutil.copy(prepared + suffix, database + suffix)
    return database


def percent(fraction):
    return f"{fraction * 100:.1f}%"


def run_honest(args, prepared, contributing, read, prompted=False):
    """People take turns contributing; with `prompted`, each draws next a digit of the class the
    server suggests (GET /api/prompt), from its own remaining digits, when it has one left."""
    name = "prompted" if prompted else "honest"
    database = fresh_copy(args, prepared, name)
    server = Server(args, name, database)
    results = {"curve": [], "live_seconds": [], "promoted": 0, "rejected": 0}
    try:
        people = {writer: Contributor(writer, f"10.0.{index}.{index + 1}") for index, writer in enumerate(CONTRIBUTING)}
        order = PromptedOrder(server, contributing) if prompted else contribution_order(contributing, args.contributions)

        def measure(done):
            certainty = {}
            accuracy, per_class, _ = read_accuracy(server, read, certainty)
            live = server.model()["live"]
            results["curve"].append((done, accuracy))
            print(f"{'prompted ' if prompted else ''}after {done:4d} contributions: read writers {percent(accuracy)}  version {live['version']}  "
                  f"per class " + " ".join(f"{d}:{p * 100:.0f}" for d, p in enumerate(per_class)), flush=True)
            if done in (0, args.contributions):
                print(f"  {certainty_line(certainty)}", flush=True)
            return accuracy, per_class, live

        measure(0)
        for index, digit in zip(range(1, args.contributions + 1), order):
            stored = people[digit["writer"]].store(server, base64.b64decode(digit["png"]), digit["label"])
            started_version = stored.get("retrainingStarted")
            if started_version and not args.quick:
                began = time.time()
                row = server.wait_for(started_version)
                if row["outcome"] == "promoted":
                    results["live_seconds"].append(time.time() - began)
            if index % args.step == 0:
                server.wait_until_idle()
                accuracy, per_class, live = measure(index)
        versions = server.versions()
        results["promoted"] = sum(v["outcome"] == "promoted" for v in versions) - 1
        results["rejected"] = sum(v["outcome"] == "rejected" for v in versions)
        results["final"] = (accuracy, per_class, live)
        reasons = [f"v{v['version']}: {v['reason']}" for v in versions if v["outcome"] == "rejected"]
        results["rejections"] = reasons
    finally:
        server.stop()
    if prompted:
        return results
    # What the crowds start from: the server after every honest contribution.
    after = os.path.join(args.work, "after-honest.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            shutil.copy(database + suffix, after + suffix)
        elif os.path.exists(after + suffix):
            os.remove(after + suffix)
    return results


def contribution_order(contributing, count):
    """People take turns: the next digit comes from the next writer, each writer's digits shuffled."""
    generator = random.Random(1)
    by_writer = {writer: [d for d in contributing if d["writer"] == writer] for writer in CONTRIBUTING}
    for digits in by_writer.values():
        generator.shuffle(digits)
    order = []
    round_index = 0
    while len(order) < count:
        for writer in CONTRIBUTING:
            if round_index < len(by_writer[writer]) and len(order) < count:
                order.append(by_writer[writer][round_index])
        round_index += 1
    return order


class PromptedOrder:
    """Writers take turns, as in `contribution_order`, but each draws the digit the server asks
    for from its own remaining ones (shuffled), or its next one when it has none of that class."""

    def __init__(self, server, contributing):
        generator = random.Random(1)
        self.server = server
        self.left = {writer: [d for d in contributing if d["writer"] == writer] for writer in CONTRIBUTING}
        for digits in self.left.values():
            generator.shuffle(digits)
        self.asked = {}

    def __iter__(self):
        while any(self.left.values()):
            for writer in CONTRIBUTING:
                if not self.left[writer]:
                    continue
                path = "/api/prompt" if writer not in self.asked else f"/api/prompt?after={self.asked[writer]}"
                status, prompt, _ = self.server.request("GET", path)
                if status != 200:
                    sys.exit(f"GET {path} answered {status}: {prompt}")
                self.asked[writer] = prompt["digit"]
                chosen = next((d for d in self.left[writer] if d["label"] == prompt["digit"]), self.left[writer][0])
                self.left[writer].remove(chosen)
                yield chosen


def run_poison(args, prepared, name, contributing, read, attackers, each):
    """`attackers` contributors on addresses of their own post `each` clean 7s labelled 1."""
    server = Server(args, name, fresh_copy(args, prepared, name))
    try:
        _, _, guesses = read_accuracy(server, read)
        before = sevens_read_as_one(guesses, read)
        sevens = [d for d in contributing if d["label"] == 7]
        random.Random(2).shuffle(sevens)
        people = [Contributor(f"attacker-{n}", f"203.0.113.{n + 1}") for n in range(attackers)]
        worst = before
        promoted = 0
        for index in range(attackers * each):
            person = people[index % attackers]
            stored = person.store(server, base64.b64decode(sevens[index % len(sevens)]["png"]), 1)
            if stored.get("retrainingStarted"):
                row = server.wait_for(stored["retrainingStarted"])
                if row["outcome"] == "promoted":
                    promoted += 1
                    _, _, guesses = read_accuracy(server, [d for d in read if d["label"] == 7])
                    worst = max(worst, sum(g == 1 for g in guesses) / len(guesses))
        server.wait_until_idle()
        versions = server.versions()
        rejected = [f"v{v['version']}: {v['reason']}" for v in versions if v["outcome"] == "rejected"]
        _, _, guesses = read_accuracy(server, read)
        after = sevens_read_as_one(guesses, read)
        held = worst <= before + 0.02
        print(f"{name}: {attackers} contributor(s) x {each} clean 7s labelled 1: read writers' 7s read as 1 "
              f"{percent(before)} before, {percent(after)} after, at most {percent(worst)} under any promoted version; "
              f"{promoted} versions promoted, {len(rejected)} rejected -> {'HELD' if held else 'MOVED'}", flush=True)
        for reason in rejected[:3]:
            print(f"  rejected {reason}", flush=True)
        return held
    finally:
        server.stop()


def run_crowd(args, name, contributing, read, attackers, each, farm=0):
    """After every honest contribution, `attackers` new contributors on addresses of their own post
    `each` clean 7s labelled 1 between them, in an order of each run's own, `args.runs` times. A run
    is MOVED when any version that went live reads more of 50 of those drawings as 1 than the live
    model did before the crowd (two more allowed for the noise of retraining); held versions (for an
    admin's review) are counted, not promoted. With `farm`, each first posts that many digits of
    other classes under their true labels (what the model reads: earning trust), then its 7s."""
    after = os.path.join(args.work, "after-honest.sqlite")
    if not os.path.exists(after):
        sys.exit(f"{name} starts from the honest scenario's database: run it first (SCENARIOS=honest,{name})")
    sevens = [d for d in contributing if d["label"] == 7]
    moved_runs = 0
    for run in range(1, args.runs + 1):
        generator = random.Random(100 + run)
        drawings = generator.sample(sevens, min(len(sevens), attackers * each))
        probe = [dict(d, label=7) for d in drawings[:50]]
        server = Server(args, f"{name}-{run}", fresh_copy(args, after, f"{name}-{run}"))
        try:
            _, _, guesses = read_accuracy(server, probe)
            before = sum(g == 1 for g in guesses)
            people = [Contributor(f"crowd-{n}", f"198.18.{n // 200}.{n % 200 + 1}") for n in range(attackers)]
            others = generator.sample([d for d in contributing if d["label"] not in (1, 7)], attackers * farm)
            queues = [[(others[n * farm + k], others[n * farm + k]["label"]) for k in range(farm)]
                      + [(drawings[(n * each + k) % len(drawings)], 1) for k in range(each)] for n in range(attackers)]
            # Each person's posts in their order (trust first), the people interleaved at random.
            posts = []
            while any(queues):
                n = generator.choice([n for n in range(attackers) if queues[n]])
                posts.append((people[n], *queues[n].pop(0)))
            worst, promoted = before, 0
            for person, drawing, label in posts:
                stored = person.store(server, base64.b64decode(drawing["png"]), label)
                if stored.get("retrainingStarted"):
                    row = server.wait_for(stored["retrainingStarted"])
                    if row["outcome"] == "promoted":
                        promoted += 1
                        _, _, guesses = read_accuracy(server, probe)
                        worst = max(worst, sum(g == 1 for g in guesses))
            server.wait_until_idle()
            versions = server.versions()
            held = [v for v in versions if v["outcome"] == "held"]
            moved = worst > before + 2
            moved_runs += moved
            accuracy, _, _ = read_accuracy(server, read)
            earned = f" after {farm} digits each the model reads" if farm else ""
            print(f"{name} run {run}: {attackers} contributors x {each} clean 7s labelled 1{earned}: of 50 such 7s, {before} read as 1 "
                  f"before, at most {worst} under any live version; {promoted} promoted, {len(held)} held for review; "
                  f"read writers {percent(accuracy)} -> {'MOVED' if moved else 'HELD'}", flush=True)
            if held:
                print(f"  held v{held[0]['version']}: {held[0]['reason']}", flush=True)
        finally:
            server.stop()
    print(f"{name}: {args.runs - moved_runs} of {args.runs} runs held", flush=True)
    return moved_runs == 0


def draw_curve(path, curves):
    """The learning curves ({name: [(contributions, accuracy)]}) as a PNG, drawn with Pillow."""
    from PIL import Image, ImageDraw
    width, height, margin = 720, 420, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    low, high = 0.70, 1.0
    most = max(done for curve in curves.values() for done, _ in curve) or 1

    def point(done, accuracy):
        x = margin + (width - 2 * margin) * done / most
        y = height - margin - (height - 2 * margin) * (min(max(accuracy, low), high) - low) / (high - low)
        return x, y

    for level in range(70, 101, 5):
        _, y = point(0, level / 100)
        draw.line([(margin, y), (width - margin, y)], fill=(225, 225, 225))
        draw.text((10, y - 6), f"{level}%", fill="black")
    for done in range(0, most + 1, max(1, most // 10)):
        x, _ = point(done, low)
        draw.text((x - 10, height - margin + 8), str(done), fill="black")
    draw.text((margin, 15), f"Accuracy on {len(READ)} writers who never contributed, by contributions from {len(CONTRIBUTING)} others",
              fill="black")
    draw.text((width // 2 - 60, height - 25), "verified digits contributed", fill="black")
    colours = [(20, 90, 200), (161, 71, 13), (20, 108, 46)]
    for index, (name, curve) in enumerate(curves.items()):
        colour = colours[index % len(colours)]
        draw.line([point(d, a) for d, a in curve], fill=colour, width=3)
        for d, a in curve:
            x, y = point(d, a)
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=colour)
        draw.line([(width - 200, 40 + 16 * index), (width - 180, 40 + 16 * index)], fill=colour, width=3)
        draw.text((width - 175, 34 + 16 * index), name, fill="black")
    image.save(path)


def main():
    args = parse_arguments()
    global CONTRIBUTING, READ
    try:
        first, last = (int(n) for n in args.read_writers.split("-"))
    except ValueError:
        first, last = 0, 0
    if not (1 <= first <= last <= 30 and last - first < 29):
        sys.exit(f"--read-writers must be a range such as 1-10 within 1-30 that leaves writers to contribute, "
                 f"got {args.read_writers!r}")
    READ = [f"tra-{n:02d}" for n in range(first, last + 1)]
    CONTRIBUTING = [f"tra-{n:02d}" for n in range(1, 31) if f"tra-{n:02d}" not in READ]
    os.makedirs(args.work, exist_ok=True)
    sys.path.insert(0, args.pendigits)
    import render
    digits = render_all(args, render)
    contributing = [d for d in digits if d["writer"] in CONTRIBUTING]
    read = [d for d in digits if d["writer"] in READ]
    print(f"{len(contributing)} digits by {len(CONTRIBUTING)} contributing writers, {len(read)} by {len(READ)} read writers",
          flush=True)
    prepared = prepare(args)
    scenarios = args.scenarios.split(",")
    if "honest" in scenarios:
        results = run_honest(args, prepared, contributing, read)
        accuracy, per_class, live = results["final"]
        seconds = sorted(results["live_seconds"])
        if seconds:
            print(f"10th digit to new model live: median {seconds[len(seconds) // 2]:.2f} s, "
                  f"max {seconds[-1]:.2f} s over {len(seconds)} promotions", flush=True)
        print(f"versions promoted {results['promoted']}, rejected {results['rejected']}", flush=True)
        for reason in results["rejections"][:5]:
            print(f"  rejected {reason}", flush=True)
        test = live.get("testAccuracy")
        print(f"final model: version {live['version']}, MNIST test {percent(test) if test else 'n/a'}, "
              f"lowest class {min(range(10), key=lambda d: per_class[d])} at {percent(min(per_class))}", flush=True)
        curve = os.path.join(args.work, "learning-curve.png")
        draw_curve(curve, {"contributing in turn": results["curve"]})
        print(f"learning curve: {curve}", flush=True)
    if "prompted" in scenarios:
        prompted = run_honest(args, prepared, contributing, read, prompted=True)
        if "honest" in scenarios:
            print("contributions  not prompted  prompted", flush=True)
            for (done, plain), (_, asked) in zip(results["curve"], prompted["curve"]):
                print(f"{done:13d}  {percent(plain):>12}  {percent(asked):>8}", flush=True)
        accuracy, per_class, _ = prompted["final"]
        print(f"prompted: lowest class {min(range(10), key=lambda d: per_class[d])} at {percent(min(per_class))}", flush=True)
        curves = {"prompted": prompted["curve"]}
        if "honest" in scenarios:
            curves = {"not prompted": results["curve"], **curves}
        curve = os.path.join(args.work, "learning-curves-prompted.png")
        draw_curve(curve, curves)
        print(f"learning curves, prompted and not: {curve}", flush=True)
    held = True
    if "poison-one" in scenarios:
        held &= run_poison(args, prepared, "poison-one", contributing, read, attackers=1, each=300)
    if "poison-three" in scenarios:
        held &= run_poison(args, prepared, "poison-three", contributing, read, attackers=3, each=100)
    if "crowd-20x30" in scenarios:
        held &= run_crowd(args, "crowd-20x30", contributing, read, attackers=20, each=30)
    if "crowd-50x20" in scenarios:
        held &= run_crowd(args, "crowd-50x20", contributing, read, attackers=50, each=20)
    if "crowd-earning-trust" in scenarios:
        held &= run_crowd(args, "crowd-earning-trust", contributing, read, attackers=20, each=20, farm=20)
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
