#!/usr/bin/python3
"""A real RTSP server for GateWatch's tests: Debian's gst-rtsp-server serving an H.264 clip in a loop.

Usage: rtsp_server.py CLIP.h264 --port N [--path /gate] [--mounts K] [--fps 10] [--user U --password P] [--stamp]

CLIP.h264 is an Annex-B elementary stream without B-frames (ffmpeg ... -c:v libx264 -bf 0 -f h264):
such a stream can be concatenated with itself, so multifilesrc's loop replays it seamlessly and
h264parse keeps timestamps running; multifilesrc reports itself not seekable, which PLAY needs
from a looping source (a seekable one gets 503). Prints "READY rtsp://127.0.0.1:N/path" once it listens.

The clients of a mount share its one pipeline, as a camera's clients share its sensor: all see the same
frame at the same moment, and one that joins late gets the live picture, not the clip from frame 0. When
the last client leaves, the pipeline goes; the next client starts a new one.

--mounts K serves K cameras instead of one, at PATH1 .. PATHK (/gate1 .. /gateK by default), for the
capacity benchmark: each mount has its own pipeline, as K real cameras each send their own stream, and
the READY line lists the K URLs separated by spaces.

--stamp burns the wall-clock time each frame leaves the camera into the picture, for glass-to-glass latency:
the clip is decoded, paced by the clock (identity sync=true, as a sensor delivers frames), stamped and
encoded again (openh264, a keyframe a second). The stamp is a row of STAMP_CELLS black or white
STAMP_CELL-pixel squares along the top edge: white, black, then the Unix time in milliseconds modulo
2**STAMP_BITS, most significant bit first (white = 1), then an even-parity cell over those bits. The
browser reads it back off the wall's <video> (tests/Browser.Tests/LiveWallTests.cs).
"""
import argparse
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstRtspServer, GstVideo  # noqa: E402

STAMP_CELL = 16  # a macroblock: each square survives the encoder as one flat block
STAMP_BITS = 41  # about 70 years of milliseconds
STAMP_CELLS = 2 + STAMP_BITS + 1


def stamp_bits(ms):
    """The stamp's cells for a time, 1 for white."""
    bits = [(ms >> (STAMP_BITS - 1 - i)) & 1 for i in range(STAMP_BITS)]
    return [1, 0] + bits + [sum(bits) & 1]


def stamp_overlay(ms):
    """The stamp as an overlay rectangle for overlaycomposition, which blends it into the frame."""
    width = STAMP_CELLS * STAMP_CELL
    row = b"".join((b"\xff\xff\xff\xff" if bit else b"\x00\x00\x00\xff") * STAMP_CELL for bit in stamp_bits(ms))
    buf = Gst.Buffer.new_wrapped(row * STAMP_CELL)
    GstVideo.buffer_add_video_meta(buf, GstVideo.VideoFrameFlags.NONE, GstVideo.VideoFormat.BGRA, width, STAMP_CELL)
    rect = GstVideo.VideoOverlayRectangle.new_raw(buf, 0, 0, width, STAMP_CELL, GstVideo.VideoOverlayFormatFlags.NONE)
    return GstVideo.VideoOverlayComposition.new(rect)


class LoopingFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, clip, fps, stamp=False):
        super().__init__()
        source = (
            f'multifilesrc location="{clip}" loop=true '
            f'caps="video/x-h264,stream-format=byte-stream,framerate={fps}/1" ! h264parse name=parse config-interval=-1'
        )
        if stamp:
            source += (
                " ! openh264dec ! videoconvert ! video/x-raw,format=I420 ! identity sync=true"
                f" ! overlaycomposition name=stamp ! openh264enc gop-size={fps} rate-control=bitrate bitrate=3000000"
                " complexity=low ! h264parse config-interval=-1"
            )
        self._stamp = stamp
        self._launch = f"( {source} ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        # One pipeline for every client, like a camera: a client that joins while another watches gets the
        # live picture. It starts mid-GOP, so it needs the parameter sets before the next keyframe: the SDP
        # carries them (sprop-parameter-sets) and config-interval=-1 repeats them before every IDR in band.
        self.set_shared(True)

    def do_create_element(self, url):
        return Gst.parse_launch(self._launch)

    def do_configure(self, media):
        # The factory's own configure hands the media its settings: shared (without it every client got
        # a pipeline of its own, the clip from its first frame, so the agent's analysis, its recorder and
        # each live viewer saw different moments) and the permissions. Not reusable: once the last client
        # leaves, the next one gets a fresh pipeline; gst-rtsp-server 1.22 re-preparing a shared reusable
        # media sends no packets, and the client after that aborts the server (g_mutex_clear on a locked
        # mutex, or free(): invalid next size).
        GstRtspServer.RTSPMediaFactory.do_configure(self, media)
        element = media.get_element()
        # h264parse gives a raw elementary stream decode times only; the clip has no B-frames
        # (made with -bf 0), so presentation time equals decode time.
        element.get_by_name("parse").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self._pts_from_dts)
        if self._stamp:
            # Drawn as the frame passes, just after identity released it at its time: the moment of capture.
            element.get_by_name("stamp").connect("draw", lambda _overlay, _sample: stamp_overlay(time.time_ns() // 1_000_000))

    @staticmethod
    def _pts_from_dts(pad, info):
        buf = info.get_buffer()
        if buf.pts == Gst.CLOCK_TIME_NONE:
            buf.pts = buf.dts
        return Gst.PadProbeReturn.OK


def make_factory(args):
    """One mount's factory; behind a user and password when the server has one."""
    factory = LoopingFactory(args.clip, args.fps, args.stamp)
    if args.user:
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("viewer", "media.factory.access", True)
        permissions.add_permission_for_role("viewer", "media.factory.construct", True)
        factory.set_permissions(permissions)
    return factory


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clip")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/gate")
    ap.add_argument("--mounts", type=int, help="serve K mounts, PATH1 .. PATHK, each its own pipeline")
    ap.add_argument("--fps", type=int, default=10)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--stamp", action="store_true", help="burn the wall-clock time into each frame (re-encodes)")
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
    paths = [args.path] if args.mounts is None else [f"{args.path}{i}" for i in range(1, args.mounts + 1)]
    if not paths:
        print("--mounts must be at least 1", file=sys.stderr)
        return 2
    for path in paths:
        server.get_mount_points().add_factory(path, make_factory(args))
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("READY " + " ".join(f"rtsp://127.0.0.1:{args.port}{p}" for p in paths), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
