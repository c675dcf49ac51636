#!/usr/bin/python3
"""Where a zone should switch from its tracked people to the density estimate (bench/crowd/cv.sh runs this).

    switch.py DETECTIONS.jsonl COUNTS.jsonl TRUTH.csv

DETECTIONS: `GateAgent detect --min-score 0.3` on the frames (a person box per tracked person stands in for the
tracker, which follows the detector's boxes); COUNTS: `GateAgent count` on the same frames, each by a head that
never saw its camera and day (the cross-validation's folds). Frames are grouped by the density estimate, which is
what the agent knows when it decides; for each group the mean absolute error of both counts against the truth.
"""
import csv
import json
import sys

BANDS = [0, 3, 6, 8, 10, 12, 15, 20, 30, 1e9]


def main():
    det_path, counts_path, truth_path = sys.argv[1:4]
    truth = {r["image"]: float(r["count"]) for r in csv.DictReader(open(truth_path))}
    boxes = {}
    for line in open(det_path):
        d = json.loads(line)
        boxes[d["image"]] = sum(1 for x in d["detections"] if x["class"] == "person")
    estimate = {}
    for line in open(counts_path):
        d = json.loads(line)
        estimate[d["image"]] = d["count"]
    frames = [k for k in estimate if k in boxes and k in truth]
    print(f"{len(frames)} frames with a detection count, an out-of-fold estimate and a true count\n")
    print("| density estimate | frames | mean true | boxes MAE | estimate MAE | closer |")
    print("|---|---:|---:|---:|---:|---|")
    for lo, hi in zip(BANDS, BANDS[1:]):
        group = [k for k in frames if lo <= estimate[k] < hi]
        if not group:
            continue
        n = len(group)
        mt = sum(truth[k] for k in group) / n
        mb = sum(abs(boxes[k] - truth[k]) for k in group) / n
        me = sum(abs(estimate[k] - truth[k]) for k in group) / n
        span = f"{lo:g}+" if hi >= 1e9 else f"{lo:g}-{hi:g}"
        print(f"| {span} | {n} | {mt:.1f} | {mb:.2f} | {me:.2f} | {'estimate' if me < mb else 'boxes'} |")


if __name__ == "__main__":
    main()
