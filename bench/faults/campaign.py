#!/usr/bin/python3
"""A re-runnable fault campaign on the demo topology (RTSP server, agent, console).

Started by bench/faults/run.sh after the Release builds. Standard library only (Debian's python3), run as root:
the agent's data folder is a small tmpfs so that "disk full" is a real ENOSPC. Every fault is drawn from one
seeded RNG, so the same --seed gives the same faults at the same offsets (what the system does about them is
what is being measured). Results: OUT/faults.jsonl, OUT/summary.json, OUT/report.md and the `## Fault campaign`
section of bench/RELIABILITY.md.
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RTSP_PORT, CONSOLE_PORT, AGENT_PORT = 18554, 18700, 18710
AGENT_ID, CAMERA = "fault-gate", "pets"
CAM_USER, CAM_PASSWORD = "camera", "fault-camera-pw"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
KINDS = ["agent-kill", "console-kill", "rtsp-kill", "ffmpeg-kill", "disk-full", "db-lock", "clock-jump"]
# AgentWatch: 20 s of silence, found by a check every 5 s whose asks take up to a few seconds.
AGENT_ALERT_AFTER, AGENT_ALERT_SURE = 20.0, 32.0
# CameraWatchdog: a camera that delivers nothing for 5 s is reported offline.
CAMERA_ALERT_SURE = 9.0
GAP_SECONDS = 2.0


def now():
    return time.time()


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def log(msg):
    print(f"[{datetime.now(timezone.utc).strftime('%H:%M:%S')}] {msg}", flush=True)


class Proc:
    """One of the topology's programs, restartable like a service manager would, its output appended to a log."""

    def __init__(self, name, argv, logfile, env=None, cwd=None):
        self.name, self.argv, self.logfile, self.env, self.cwd = name, argv, logfile, env, cwd
        self.p = None
        self.starts = 0

    def start(self):
        out = open(self.logfile, "ab")
        out.write(f"\n==== {self.name} start {iso(now())}\n".encode())
        out.flush()
        # Its own session: a SIGKILL of the agent must leave its ffmpeg children behind, as a real crash does.
        self.p = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
                                  start_new_session=True)
        out.close()
        self.starts += 1

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            os.kill(self.p.pid, sig)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait()

    def stop_group(self):
        """At the end only: the program and whatever it started."""
        if self.p is None:
            return
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)


def http_get(url, headers=None, timeout=3.0):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


class Campaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.out = os.path.abspath(a.out)
        self.agent_dir = os.path.join(self.out, "agent")
        self.data = os.path.join(self.agent_dir, "data")
        self.console_data = os.path.join(self.out, "console")
        self.faketime_file = os.path.join(self.agent_dir, "faketime")
        self.faults = []
        self.samples = []
        self.seen_complete = {}
        self.stop_monitor = threading.Event()
        self.lock = threading.Lock()
        self.mounted = False

    # ---------------------------------------------------------------- setup
    def setup(self):
        if os.path.ismount(self.data):
            subprocess.run(["umount", self.data], check=True)
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(self.data)
        os.makedirs(self.console_data)
        cache = os.path.join(os.path.dirname(self.out), "cache")
        os.makedirs(cache, exist_ok=True)
        clip = os.path.join(cache, "pets.h264")
        if not os.path.exists(clip):
            video = os.environ.get("GATEWATCH_VIDEO") or os.path.join(ROOT, "..", "shared", "data", "pets2009-s2l1", "vtest.mp4")
            if not os.path.exists(video):
                video = "/work/shared/data/pets2009-s2l1/vtest.mp4"
            log(f"re-encoding {video} as a camera's stream")
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", video, "-c:v", "libx264", "-preset", "veryfast", "-bf", "0",
                            "-g", "10", "-pix_fmt", "yuv420p", "-f", "h264", clip + ".partial"], check=True)
            os.replace(clip + ".partial", clip)
        self.clip = clip
        # The recordings disk: small, so that filling it is quick and the agent's low-disk mode is exercised.
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.a.disk_mb}m", "gatewatch-faults", self.data], check=True)
        self.mounted = True
        with open(self.faketime_file, "w") as f:
            f.write("+0\n")

        console = ["dotnet", os.path.join(ROOT, "src/Console/bin/Release/net10.0/GateConsole.dll")]
        agent = ["dotnet", os.path.join(ROOT, "src/GateAgent/bin/Release/net10.0/GateAgent.dll")]
        secret = lambda: os.urandom(18).hex()
        self.passwords = {"admin": secret(), "reviewer": secret()}
        subprocess.run(console + ["create-admin", "--name", "admin", "--data", self.console_data],
                       input=(self.passwords["admin"] + "\n").encode(), check=True, stdout=subprocess.DEVNULL)
        subprocess.run(console + ["create-user", "--name", "reviewer", "--role", "reviewer", "--data", self.console_data],
                       input=(self.passwords["reviewer"] + "\n").encode(), check=True, stdout=subprocess.DEVNULL)
        key_file = os.path.join(self.agent_dir, "agent.key")
        self.agent_key = secret()
        with open(key_file, "w") as f:
            f.write(self.agent_key + "\n")
        console_key = subprocess.run(console + ["register-agent", "--id", AGENT_ID, "--name", "Fault campaign gate",
                                                "--url", f"http://127.0.0.1:{AGENT_PORT}/", "--api-key-file", key_file,
                                                "--data", self.console_data],
                                     check=True, capture_output=True, text=True).stdout.strip()
        config = {
            "agentId": AGENT_ID,
            "listen": f"http://127.0.0.1:{AGENT_PORT}",
            "apiKeyFile": "agent.key",
            "dataDir": "data",
            "console": {"url": f"http://127.0.0.1:{CONSOLE_PORT}/", "key": console_key},
            "retention": {"maxAgeDays": 1, "lowDiskFreeMB": self.a.low_disk_mb, "sweepSeconds": 10},
            "cameras": [{"id": CAMERA, "name": "PETS 2009 gate (RTSP)",
                         "main": f"rtsp://{CAM_USER}:{CAM_PASSWORD}@127.0.0.1:{RTSP_PORT}/gate",
                         "gate": os.path.join(ROOT, "samples/pets-gate.json"), "analysisFps": 5, "segmentSeconds": 10,
                         "quotaMB": self.a.disk_mb, "plates": "off"}],
        }
        self.agent_config = os.path.join(self.agent_dir, "agent.json")
        with open(self.agent_config, "w") as f:
            json.dump(config, f, indent=2)

        self.rtsp = Proc("rtsp", ["/usr/bin/python3", os.path.join(ROOT, "tests/rtsp/rtsp_server.py"), clip, "--port", str(RTSP_PORT),
                                  "--fps", "10", "--user", CAM_USER, "--password", CAM_PASSWORD], os.path.join(self.out, "rtsp.log"))
        self.console = Proc("console", console + ["serve", "--data", self.console_data, "--listen", f"http://127.0.0.1:{CONSOLE_PORT}"],
                            os.path.join(self.out, "console.log"))
        # The agent always runs under libfaketime reading its offset from a file, so the clock-jump fault can step
        # the wall clock of a running agent (and its ffmpegs) without touching the machine's clock, which others share.
        env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE=self.faketime_file, FAKETIME_CACHE_DURATION="1")
        self.agent = Proc("agent", agent + ["run", "--config", self.agent_config], os.path.join(self.out, "agent.log"),
                          env=env, cwd=self.agent_dir)
        self.rtsp.start()
        time.sleep(1)
        self.console.start()
        self.agent.start()
        self.wait_until(lambda: self.ok(f"http://127.0.0.1:{CONSOLE_PORT}/healthz") and self.ok(f"http://127.0.0.1:{AGENT_PORT}/healthz"), 90,
                        "the console and the agent to answer")

    def wait_until(self, cond, seconds, what):
        end = now() + seconds
        while now() < end:
            if cond():
                return True
            time.sleep(0.5)
        log(f"timed out waiting for {what}")
        return False

    @staticmethod
    def ok(url):
        try:
            return http_get(url, timeout=1.5)[0] == 200
        except (OSError, urllib.error.URLError):
            return False

    def agent_api(self, path, timeout=3.0):
        _, body = http_get(f"http://127.0.0.1:{AGENT_PORT}/api/{path}", {"Authorization": f"Bearer {self.agent_key}"}, timeout)
        return json.loads(body)

    # ---------------------------------------------------------------- monitoring
    def monitor(self):
        last_segments = 0.0
        while not self.stop_monitor.is_set():
            t = now()
            s = {"t": t, "agent": False, "console": self.ok(f"http://127.0.0.1:{CONSOLE_PORT}/healthz")}
            try:
                h = self.agent_api("health", 2.0)
                cam = next((c for c in h["cameras"] if c["id"] == CAMERA), None)
                s.update(agent=True, state=cam and cam["state"], recording=cam and cam["recording"],
                         segments=cam and cam["segmentsThisRun"], pending=h["outbox"]["pending"], lastSeq=h["outbox"]["lastSeq"])
            except (OSError, urllib.error.URLError, ValueError, KeyError):
                pass
            if s["agent"] and t - last_segments >= 4:
                last_segments = t
                try:
                    # A wide range in both directions: the agent's clock may be stepped away from ours.
                    for seg in self.agent_api(f"cameras/{CAMERA}/segments?from={iso(t - 6 * 3600)}&to={iso(t + 6 * 3600)}", 5.0):
                        if seg["complete"]:
                            with self.lock:
                                self.seen_complete.setdefault(seg["file"], dict(seg, firstSeen=t))
                except (OSError, urllib.error.URLError, ValueError):
                    pass
            with self.lock:
                self.samples.append(s)
            self.stop_monitor.wait(max(0.0, 1.0 - (now() - t)))

    def healthy(self, s):
        return s["agent"] and s["console"] and s.get("state") == "online" and s.get("recording") and s.get("pending") == 0

    def recovered_at(self, after):
        """The first moment after `after` from which the whole topology is healthy for 3 s in a row."""
        with self.lock:
            samples = [s for s in self.samples if s["t"] >= after]
        run = None
        for s in samples:
            if self.healthy(s):
                run = run or s["t"]
                if s["t"] - run >= 3:
                    return run
            else:
                run = None
        return None

    # ---------------------------------------------------------------- faults
    def record(self, kind, start, end, **params):
        f = {"n": len(self.faults) + 1, "kind": kind, "start": start, "end": end, **params}
        self.faults.append(f)
        with open(os.path.join(self.out, "faults.jsonl"), "a") as out:
            out.write(json.dumps(dict(f, startUtc=iso(start), endUtc=iso(end))) + "\n")
        log(f"fault {f['n']} {kind}: {iso(start)} .. {iso(end)} {params}")

    def restart_agent(self):
        # A service manager restarts with the machine's clock: whatever step a clock-jump fault made is undone here.
        with open(self.faketime_file, "w") as f:
            f.write("+0\n")
        time.sleep(1.2)
        self.agent.start()

    def fault_agent_kill(self):
        down = self.rng.choice([self.rng.uniform(3, 12), self.rng.uniform(35, 50)])
        start = now()
        self.agent.kill()
        time.sleep(down)
        self.restart_agent()
        self.record("agent-kill", start, now(), down_s=round(down, 1))

    def fault_console_kill(self):
        down = self.rng.uniform(5, 30)
        start = now()
        self.console.kill()
        time.sleep(down)
        self.console.start()
        self.record("console-kill", start, now(), down_s=round(down, 1))

    def fault_rtsp_kill(self):
        down = self.rng.uniform(8, 30)
        start = now()
        self.rtsp.kill()
        time.sleep(down)
        self.rtsp.start()
        self.record("rtsp-kill", start, now(), down_s=round(down, 1))

    def fault_ffmpeg_kill(self):
        which = self.rng.choice(["recorder", "analysis"])
        start = now()
        victim = None
        if self.agent.alive():
            kids = subprocess.run(["pgrep", "-P", str(self.agent.p.pid), "ffmpeg"], capture_output=True, text=True).stdout.split()
            for pid in kids:
                try:
                    argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
                except OSError:
                    continue
                is_recorder = any(b"-segment_list" == a for a in argv)
                if (which == "recorder") == is_recorder:
                    victim = int(pid)
                    break
        if victim:
            os.kill(victim, signal.SIGKILL)
        self.record("ffmpeg-kill", start, now(), which=which, pid=victim)

    def fault_disk_full(self):
        hold = self.rng.uniform(20, 45)
        start = now()
        filler = os.path.join(self.data, "filler.bin")
        # Until ENOSPC: the disk is then full whatever retention deletes meanwhile, until the file goes.
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end_fill = now() + hold
        while now() < end_fill:
            # Retention frees space in low-disk mode; the filler takes it again, as another writer on a full disk would.
            with open(filler, "ab") as f:
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                except OSError:
                    pass
            time.sleep(1)
        os.remove(filler)
        self.record("disk-full", start, now(), hold_s=round(hold, 1))

    def fault_db_lock(self):
        hold = self.rng.uniform(8, 25)
        start = now()
        db = sqlite3.connect(os.path.join(self.console_data, "console.db"), timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN EXCLUSIVE")
            locked = now()
            time.sleep(hold)
            db.execute("ROLLBACK")
        finally:
            db.close()
        self.record("db-lock", start, now(), hold_s=round(hold, 1), waited_s=round(locked - start, 1))

    def fault_clock_jump(self):
        step = self.rng.choice([-1, 1]) * self.rng.uniform(120, 600)
        hold = self.rng.uniform(30, 60)
        start = now()
        if step > 0:
            # Stepped forward in the running agent (libfaketime re-reads the file every second); a live step back would
            # also move libfaketime's monotonic clock backwards, which no real clock does, so the way back is the restart.
            with open(self.faketime_file, "w") as f:
                f.write(f"+{step:.0f}\n")
            how = "live step of the running agent; back at a SIGTERM restart"
        else:
            # Backwards: the agent restarted (SIGTERM) on a clock set back, then restarted again on the right one.
            self.agent.kill(signal.SIGTERM)
            with open(self.faketime_file, "w") as f:
                f.write(f"{step:.0f}\n")
            time.sleep(1.2)
            self.agent.start()
            how = "SIGTERM restart on a clock set back; back at a second restart"
        time.sleep(hold)
        self.agent.kill(signal.SIGTERM)
        self.restart_agent()
        self.record("clock-jump", start, now(), step_s=round(step), hold_s=round(hold, 1), how=how)

    # ---------------------------------------------------------------- the run
    def run(self):
        self.setup()
        self.t0 = now()
        mon = threading.Thread(target=self.monitor, daemon=True)
        mon.start()
        log(f"topology up; warming up {self.a.warmup} s")
        time.sleep(self.a.warmup)
        end = self.t0 + self.a.minutes * 60
        deck = []
        while now() < end - 60:
            time.sleep(self.rng.uniform(15, 35))
            if not deck:
                deck = list(self.a.kinds)
                self.rng.shuffle(deck)
            kind = deck.pop()
            getattr(self, "fault_" + kind.replace("-", "_"))()
            # As a service manager would: a program found dead is started again.
            for p in (self.rtsp, self.console, self.agent):
                if not p.alive():
                    log(f"{p.name} had died on its own; restarting it")
                    p.start()
        self.t_faults_end = now()
        log(f"faults done; settling {self.a.settle} s so the outbox drains")
        settle_end = now() + self.a.settle
        while now() < settle_end:
            time.sleep(2)
            for p in (self.rtsp, self.console, self.agent):
                if not p.alive():
                    log(f"{p.name} died while settling; restarting it")
                    p.start()
        # One more segment list, so segments finished during the settle are known too.
        time.sleep(5)
        self.stop_monitor.set()
        mon.join()
        try:
            self.measure()
        finally:
            self.teardown()

    def teardown(self):
        for p in (self.agent, self.console, self.rtsp):
            p.stop_group()
        if self.mounted:
            keep = os.path.join(self.out, "agent-data-copy")
            os.makedirs(keep, exist_ok=True)
            for name in ("events.db", "events.db-wal", "segments.db", "segments.db-wal"):
                src = os.path.join(self.data, name)
                if os.path.exists(src):
                    shutil.copy(src, keep)
            subprocess.run(["umount", self.data])

    # ---------------------------------------------------------------- measurement
    def console_login(self, who):
        jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        base = f"http://127.0.0.1:{CONSOLE_PORT}"

        def call(method, path, body=None, csrf=None):
            req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", **({"X-CSRF-TOKEN": csrf} if csrf else {})})
            with jar.open(req, timeout=30) as r:
                return json.loads(r.read() or b"null")

        csrf = call("GET", "/api/login")["csrf"]
        call("POST", "/api/login", {"name": who, "password": self.passwords[who]}, csrf)
        return call

    def probe(self, path):
        r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                           capture_output=True, text=True)
        try:
            return float(r.stdout.strip()) if r.returncode == 0 else None
        except ValueError:
            return None

    def measure(self):
        log("measuring")
        self.wait_until(lambda: self.ok(f"http://127.0.0.1:{CONSOLE_PORT}/healthz"), 60, "the console")
        agent_log = open(self.agent.logfile, errors="replace").read()
        # Events: the agent's own outbox against what the console stored.
        adb = sqlite3.connect(f"file:{os.path.join(self.data, 'events.db')}?mode=ro", uri=True)
        produced = {r[0]: r[1:] for r in adb.execute("SELECT id, seq, type, time_ms, delivered_ms FROM events")}
        last_seq = adb.execute("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name='events'),0)").fetchone()[0]
        adb.close()
        cdb = sqlite3.connect(f"file:{os.path.join(self.console_data, 'console.db')}?mode=ro", uri=True)
        stored_rows = cdb.execute("SELECT id, seq, camera, type, time_ms, data FROM events WHERE agent = ?", (AGENT_ID,)).fetchall()
        cdb.close()
        # The console's own events (agent watch, recording watch) have ids of its own; the rest came from the agent.
        agent_rows = [r for r in stored_rows if not r[0].startswith("console-")]
        watch_rows = [r for r in stored_rows if r[0].startswith("console-")]
        stored_ids = [r[0] for r in agent_rows]
        seq_count = {}
        for r in agent_rows:
            seq_count[r[1]] = seq_count.get(r[1], 0) + 1
        content = {}
        for r in agent_rows:
            k = (r[2], r[3], r[4], r[5])
            content[k] = content.get(k, 0) + 1
        dropped = len(re.findall(r"event was dropped", agent_log))
        ev = {
            "produced": len(produced), "lastSeq": last_seq, "seqHoles": last_seq - len(produced),
            "stored": len(set(stored_ids)), "storedTwiceById": len(stored_ids) - len(set(stored_ids)),
            "storedTwiceBySeq": sum(n - 1 for n in seq_count.values() if n > 1),
            "sameEventTwice": sum(n - 1 for n in content.values() if n > 1),
            "missing": len(set(produced) - set(stored_ids)), "unknown": len(set(stored_ids) - set(produced)),
            "undelivered": sum(1 for v in produced.values() if v[3] is None), "droppedFullDisk": dropped,
            "byType": {},
        }
        for v in produced.values():
            ev["byType"][v[1]] = ev["byType"].get(v[1], 0) + 1

        # Segments: every one the agent reported finished must still be there and play, unless retention deleted it (logged).
        final = self.agent_api(f"cameras/{CAMERA}/segments?from={iso(self.t0 - 6 * 3600)}&to={iso(now() + 6 * 3600)}", 30)
        final_by_file = {s["file"]: s for s in final}
        folder = os.path.join(self.data, "recordings", CAMERA)
        # Read with the list: the recorder goes on while the files are probed, and its newest file is still being written.
        on_disk = sorted(f for f in os.listdir(folder) if f.endswith(".mp4")) if os.path.isdir(folder) else []
        unlisted = [f for f in on_disk[:-1] if f not in final_by_file]
        deleted = dict(re.findall(r"Deleted segment (\S+) of camera \S+ \(\d+ bytes, [^)]*\), reason (\S+)", agent_log))
        already_missing = set(re.findall(r"Segment (\S+) of camera \S+ \([^)]*\) was already gone", agent_log))
        lost, unreadable, retained, ok_count, short = [], [], {}, 0, []
        for file, seg in sorted(self.seen_complete.items()):
            if file not in final_by_file or not os.path.exists(os.path.join(folder, file)):
                if file in deleted and file not in already_missing:
                    retained[deleted[file]] = retained.get(deleted[file], 0) + 1
                else:
                    lost.append(file)
                continue
            d = self.probe(os.path.join(folder, file))
            if d is None or d <= 0:
                unreadable.append(file)
                continue
            ok_count += 1
            claimed = parse_time(seg["end"]) - parse_time(seg["start"])
            if claimed - d > GAP_SECONDS:
                short.append({"file": file, "claimed_s": round(claimed, 1), "plays_s": round(d, 1)})
        incomplete = [s for s in final if not s["complete"]]
        healed_bad = [s["file"] for s in incomplete if (self.probe(os.path.join(folder, s["file"])) or 0) <= 0]
        # Footage on disk that no list shows: recorded, but invisible to the timeline and to clip export.
        seg = {"finishedSeen": len(self.seen_complete), "finishedOk": ok_count, "lost": lost, "unreadable": unreadable,
               "onDiskUnlisted": [{"file": f, "plays_s": self.probe(os.path.join(folder, f))} for f in unlisted],
               "deletedByRetention": retained, "claimsMoreThanPlays": short, "healed": len(incomplete),
               "healedUnplayable": healed_bad}

        # Gaps: as the console's recordings endpoint shows them (its relay of the agent's list) against the agent's own list.
        review = self.console_login("reviewer")
        asked = now()
        shown = review("GET", f"/api/recordings/{AGENT_ID}/{CAMERA}/segments?from={iso(self.t0 - 6 * 3600)}&to={iso(now() + 6 * 3600)}")
        again = self.agent_api(f"cameras/{CAMERA}/segments?from={iso(self.t0 - 6 * 3600)}&to={iso(now() + 6 * 3600)}", 30)
        # Compared up to shortly before the asks: a segment may finish between the two.
        settled = lambda segs: sorted(x["file"] for x in segs if parse_time(x["end"]) < asked - 15)
        same_list = settled(shown) == settled(again) and len(settled(shown)) > 0

        def gaps_of(segs):
            segs = sorted(segs, key=lambda x: parse_time(x["start"]))
            out, reach = [], None
            for x in segs:
                s, e = parse_time(x["start"]), parse_time(x["end"])
                if reach is not None and s - reach > GAP_SECONDS:
                    out.append((reach, s))
                reach = e if reach is None else max(reach, e)
            return out

        shown_gaps = gaps_of(shown)
        overlaps = 0
        ordered = sorted(final, key=lambda x: parse_time(x["start"]))
        for x, y in zip(ordered, ordered[1:]):
            if parse_time(y["start"]) < parse_time(x["end"]) - 1.0:
                overlaps += 1

        # Per fault: alert raised and cleared, recording gap around it, time to recover.
        alerts = [(r[0], r[3], r[4] / 1000.0, json.loads(r[5])) for r in watch_rows if r[3] == "agent-unreachable"]
        reach = [(r[0], r[4] / 1000.0, json.loads(r[5])) for r in watch_rows if r[3] == "agent-reachable"]
        cam_off = [(r[0], r[4] / 1000.0) for r in agent_rows if r[3] == "camera-offline"]
        cam_on = [(r[0], r[4] / 1000.0) for r in agent_rows if r[3] == "camera-online"]
        rec_stop = [(r[0], r[4] / 1000.0) for r in watch_rows if r[3] == "recording-stopped"]
        used_alerts, used_off = set(), set()
        rows = []
        for f in self.faults:
            row = {"n": f["n"], "kind": f["kind"], "at": round(f["start"] - self.t0), "dur": round(f["end"] - f["start"], 1)}
            row["params"] = {k: v for k, v in f.items() if k not in ("n", "kind", "start", "end")}
            rec = self.recovered_at(f["end"])
            row["recover_s"] = None if rec is None else round(rec - f["end"], 1)
            # The outage the console could see: from the fault to the agent answering again.
            if f["kind"] in ("agent-kill", "clock-jump"):
                with self.lock:
                    back = next((s["t"] for s in self.samples if s["t"] >= f["end"] and s["agent"]), None)
                outage = (back or now()) - f["start"] if f["kind"] == "agent-kill" else 0
                row["outage_s"] = round(outage, 1)
                if f["kind"] == "agent-kill":
                    expect = "yes" if outage >= AGENT_ALERT_SURE else ("no" if outage < AGENT_ALERT_AFTER else "either")
                    hit = next((a for a in alerts if f["start"] <= a[2] <= (back or now()) + 10 and a[0] not in used_alerts), None)
                    if hit:
                        used_alerts.add(hit[0])
                        clr = next((r for r in reach if r[2].get("unreachable") == hit[0]), None)
                        row["alert"] = f"agent-unreachable +{hit[2] - f['start']:.0f} s" + (f", cleared +{clr[1] - f['start']:.0f} s" if clr else ", NOT cleared")
                    else:
                        row["alert"] = "none"
                    row["alert_expected"] = expect
                    row["alert_ok"] = (expect == "yes" and hit is not None) or (expect == "no" and hit is None) or expect == "either"
            if f["kind"] == "rtsp-kill":
                hit = next((c for c in cam_off if f["start"] <= c[1] <= f["end"] + 5 and c[0] not in used_off), None)
                row["alert_expected"] = "yes"
                if hit:
                    used_off.add(hit[0])
                    on = next((c for c in cam_on if c[1] >= hit[1]), None)
                    row["alert"] = f"camera-offline +{hit[1] - f['start']:.0f} s" + (f", online +{on[1] - f['start']:.0f} s" if on else ", NOT back online")
                else:
                    row["alert"] = "none"
                row["alert_ok"] = hit is not None
            if f["kind"] == "disk-full":
                # recording-stopped comes once the newest footage is a segment plus 20 s old: 30 s here.
                hit = next((r for r in rec_stop if f["start"] <= r[1] <= f["end"] + 15), None)
                row["alert_expected"] = "yes" if f["end"] - f["start"] >= 35 else "either"
                row["alert"] = f"recording-stopped +{hit[1] - f['start']:.0f} s" if hit else "none"
                row["alert_ok"] = hit is not None or row["alert_expected"] == "either"
            if f["kind"] not in ("agent-kill", "rtsp-kill", "disk-full"):
                off = [c for c in cam_off if f["start"] <= c[1] <= f["end"] + 10 and c[0] not in used_off]
                una = [a for a in alerts if f["start"] <= a[2] <= f["end"] + 30 and a[0] not in used_alerts]
                for c in off:
                    used_off.add(c[0])
                for a in una:
                    used_alerts.add(a[0])
                raised = ([f"camera-offline x{len(off)}"] if off else []) + ([f"agent-unreachable x{len(una)}"] if una else [])
                row["alert"] = ", ".join(raised) or "none"
                row["alert_expected"] = "-"
            rows.append(row)
        # Each gap goes to the fault it follows (the latest one begun by its start), if it starts within that fault's span.
        gap_of = {}
        unexplained_gaps = []
        for a, b in shown_gaps:
            near = [f for f in self.faults if f["start"] - 3 <= a <= f["end"] + 15]
            if near:
                gap_of.setdefault(max(near, key=lambda f: f["start"])["n"], []).append((a, b))
            else:
                unexplained_gaps.append((a, b))
        for row in rows:
            row["gap"] = "; ".join(f"{b - a:.0f} s" for a, b in gap_of.get(row["n"], [])) or "none"
            long_gap = any(b - a > 10 for a, b in gap_of.get(row["n"], []))
            row["silentRecordingOutage"] = long_gap and row["alert"] == "none"
        spurious_agent = [a for a in alerts if a[0] not in used_alerts]
        spurious_cam = [c for c in cam_off if c[0] not in used_off]
        self.summary = {"seed": self.a.seed, "minutes": self.a.minutes, "kinds": self.a.kinds, "date": f"{datetime.now(timezone.utc):%Y-%m-%d}",
                        "faults": len(self.faults), "events": ev, "segments": seg,
                        "consoleListIsAgentList": same_list, "gapsShown": len(shown_gaps),
                        "gapSecondsShown": round(sum(b - a for a, b in shown_gaps), 1), "overlappingSegments": overlaps,
                        "unexplainedAgentAlerts": [iso(a[2]) for a in spurious_agent],
                        "unexplainedCameraOffline": [iso(c[1]) for c in spurious_cam],
                        "unexplainedGaps": [(iso(a), round(b - a, 1)) for a, b in unexplained_gaps], "rows": rows}
        with open(os.path.join(self.out, "summary.json"), "w") as out:
            json.dump(self.summary, out, indent=2)
        md = self.markdown()
        with open(os.path.join(self.out, "report.md"), "w") as out:
            out.write(md)
        if self.a.write_reliability:
            write_section(os.path.join(ROOT, "bench", "RELIABILITY.md"), md)
        print(md)

    def markdown(self):
        s, ev, seg = self.summary, self.summary["events"], self.summary["segments"]
        ok = lambda b: "yes" if b else "**NO**"
        agent_rows = [r for r in s["rows"] if "alert_ok" in r]
        alerted = sum(1 for r in agent_rows if r["alert_ok"])
        rec = [r["recover_s"] for r in s["rows"] if r["recover_s"] is not None]
        by_kind = {}
        for r in s["rows"]:
            by_kind.setdefault(r["kind"], []).append(r["recover_s"])
        lines = [
            "## Fault campaign", "",
            f"`bench/faults/run.sh --minutes {s['minutes']:g} --seed {s['seed']}{' --kinds ' + ','.join(s['kinds']) if s.get('kinds', KINDS) != KINDS else ''}` on {s.get('date') or f'{datetime.now(timezone.utc):%Y-%m-%d}'} "
            f"(2-core machine shared with other builds): the demo topology (test RTSP server, `GateConsole serve`, "
            f"`GateAgent run` with one PETS camera, 10 s segments, its data folder on a {self.a.disk_mb} MB tmpfs) with "
            f"{s['faults']} faults drawn from seed {s['seed']}, then {self.a.settle} s without faults for the outbox to drain. "
            "How each fault is made and what is measured: `bench/faults/README.md`.", "",
            "| measure | result | pass |", "|---|---|---|",
            f"| events produced by the agent (outbox) | {ev['produced']} ({', '.join(f'{k} {v}' for k, v in sorted(ev['byType'].items()))}) | |",
            f"| stored by the console exactly once | {ev['stored'] - ev['unknown']} of {ev['produced']}; missing {ev['missing']}, "
            f"undelivered at the end {ev['undelivered']}, stored twice (same seq {ev['storedTwiceBySeq']}, same content {ev['sameEventTwice']}), "
            f"unknown to the agent {ev['unknown']} | {ok(ev['missing'] == 0 and ev['storedTwiceBySeq'] == 0 and ev['sameEventTwice'] == 0 and ev['unknown'] == 0)} |",
            f"| events dropped while the disk was full (logged) / seq holes | {ev['droppedFullDisk']} / {ev['seqHoles']} | {ok(ev['droppedFullDisk'] == 0 and ev['seqHoles'] == 0)} |",
            f"| finished segments lost or unreadable (ffprobe) | {len(seg['lost'])} lost, {len(seg['unreadable'])} unreadable of {seg['finishedSeen']} reported finished; "
            f"{seg['finishedOk']} play; deleted by retention (logged): {sum(seg['deletedByRetention'].values())} "
            f"{json.dumps(seg['deletedByRetention']) if seg['deletedByRetention'] else ''} | {ok(not seg['lost'] and not seg['unreadable'])} |",
            f"| footage on disk that the segment list does not show | {len(seg['onDiskUnlisted'])} files"
            f"{' (' + ', '.join(str(x['file']) + ' plays ' + str(x['plays_s']) + ' s' for x in seg['onDiskUnlisted']) + ')' if seg['onDiskUnlisted'] else ''} | {ok(not seg['onDiskUnlisted'])} |",
            f"| cut-off segments healed after a kill | {seg['healed']}, {len(seg['healedUnplayable'])} of them unplayable (kept, indexed incomplete) | |",
            f"| outages alerted (agent down past 20 s: agent-unreachable; camera down: camera-offline"
            f"{'; disk full past 35 s: recording-stopped' if any(r['kind'] == 'disk-full' and 'alert_ok' in r for r in s['rows']) else ''}) | {alerted} of {len(agent_rows)} as expected | {ok(alerted == len(agent_rows))} |",
            f"| alerts with no fault behind them | agent-unreachable {len(s['unexplainedAgentAlerts'])}, camera-offline {len(s['unexplainedCameraOffline'])} | "
            f"{ok(not s['unexplainedAgentAlerts'] and not s['unexplainedCameraOffline'])} |",
            f"| every gap visible: the console's recordings list is the agent's, and no segment claims footage it lacks | "
            f"{s['gapsShown']} gaps shown ({s['gapSecondsShown']} s); same list: {ok(s['consoleListIsAgentList'])}; segments claiming > {GAP_SECONDS:.0f} s more than they play: "
            f"{len(seg['claimsMoreThanPlays'])}; overlapping segments: {s['overlappingSegments']} | "
            f"{ok(s['consoleListIsAgentList'] and not seg['claimsMoreThanPlays'])} |",
            f"| recording gaps with no fault behind them | {len(s['unexplainedGaps'])}"
            f"{' (' + ', '.join(f'{t} {d} s' for t, d in s['unexplainedGaps']) + ')' if s['unexplainedGaps'] else ''} | {ok(not s['unexplainedGaps'])} |",
            f"| recording stopped over 10 s with no alert of any kind | {sum(1 for r in s['rows'] if r['silentRecordingOutage'])}"
            f" ({', '.join(sorted(set(r['kind'] for r in s['rows'] if r['silentRecordingOutage']))) or '-'}) | {ok(not any(r['silentRecordingOutage'] for r in s['rows']))} |",
            f"| time to recover (all healthy: agent and console answer, camera online and recording, outbox empty) | "
            f"median {sorted(rec)[len(rec) // 2] if rec else '-'} s, worst {max(rec) if rec else '-'} s; "
            + "; ".join(f"{k} {max((x for x in v if x is not None), default='-')} s" for k, v in sorted(by_kind.items()))
            + f" (worst per kind){'; never recovered: ' + str(sum(1 for r in s['rows'] if r['recover_s'] is None)) if any(r['recover_s'] is None for r in s['rows']) else ''} | |",
            "",
            "| # | at (s) | fault | lasted (s) | details | alert expected | alert raised (from the fault's start) | recording gap shown | recovered after (s) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in s["rows"]:
            det = ", ".join(f"{k} {v}" for k, v in r["params"].items() if k not in ("how", "startUtc", "endUtc"))
            if "outage_s" in r and r["kind"] == "agent-kill":
                det += f", outage {r['outage_s']} s"
            mark = "" if r.get("alert_ok", True) else " **(missed)**"
            lines.append(f"| {r['n']} | {r['at']} | {r['kind']} | {r['dur']} | {det} | {r['alert_expected']} | {r['alert']}{mark} | {r['gap']} | "
                         f"{r['recover_s'] if r['recover_s'] is not None else '**never**'} |")
        lines.append("")
        findings = os.path.join(ROOT, "bench", "faults", "findings.md")
        if os.path.exists(findings):
            lines += [open(findings).read().strip(), ""]
        return "\n".join(lines)


def write_section(path, md):
    """Replaces the `## Fault campaign` section (up to the next `## ` heading) or appends it; other sections stay."""
    text = open(path).read() if os.path.exists(path) else "# Reliability\n\nHow GateWatch holds up when things break.\n\n"
    start = text.find("## Fault campaign")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + md
    else:
        nxt = text.find("\n## ", start + 3)
        text = text[:start] + md + ("" if nxt < 0 else "\n" + text[nxt + 1:])
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "faults", "out", "run"))
    ap.add_argument("--disk-mb", type=int, default=384)
    ap.add_argument("--low-disk-mb", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=40)
    ap.add_argument("--settle", type=int, default=90)
    ap.add_argument("--no-reliability", dest="write_reliability", action="store_false",
                    help="leave bench/RELIABILITY.md alone (report only in OUT/report.md)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="the faults to draw from, comma-separated (default all)")
    ap.add_argument("--report-only", action="store_true",
                    help="write the report again from OUT/summary.json (after editing findings.md), running nothing")
    a = ap.parse_args()
    a.kinds = [k for k in a.kinds.split(",") if k]
    if unknown := [k for k in a.kinds if k not in KINDS]:
        sys.exit(f"campaign: unknown fault kinds {unknown}; known are {KINDS}")
    if a.report_only:
        c = Campaign(a)
        with open(os.path.join(c.out, "summary.json")) as f:
            c.summary = json.load(f)
        a.minutes, a.seed = c.summary["minutes"], c.summary["seed"]
        md = c.markdown()
        with open(os.path.join(c.out, "report.md"), "w") as out:
            out.write(md)
        if a.write_reliability:
            write_section(os.path.join(ROOT, "bench", "RELIABILITY.md"), md)
        print(md)
        return
    if os.geteuid() != 0:
        sys.exit("campaign: needs root, to mount the tmpfs the agent records on")
    c = Campaign(a)
    try:
        c.run()
    except BaseException:
        c.stop_monitor.set()
        if hasattr(c, "agent"):
            c.teardown()
        elif c.mounted:
            subprocess.run(["umount", c.data])
        raise


if __name__ == "__main__":
    main()
