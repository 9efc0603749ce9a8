#!/usr/bin/python3
"""Test RTSP camera: a GStreamer RTSP server on 127.0.0.1 with one SHARED media fed by ffmpeg as RTP/H.264 over local UDP.

Prints machine-readable lines on stdout: READY <port>, CLIENT_CONNECTED <n>, CLIENT_CLOSED <n>.
With --watch-stdin it reads `FEEDER <pid>` lines on stdin and, when stdin closes (the test process died),
stops that feeder and exits, so a crashed test leaves no server or feeder behind.
With VIGIL_RTSP_AUTH=basic|digest in the environment it requires VIGIL_RTSP_USER / VIGIL_RTSP_PASS
(taken from the environment, so the password is never in this process's arguments).
"""
import os
import signal
import sys
import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def require_auth(server, factory, method: str) -> None:
    user, password = os.environ["VIGIL_RTSP_USER"], os.environ["VIGIL_RTSP_PASS"]
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    if method == "digest":
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    factory.add_role_from_structure(Gst.Structure.new_from_string("viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"))


def main() -> None:
    rtsp_port, udp_port, mount = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    watch_stdin = "--watch-stdin" in sys.argv[4:]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(rtsp_port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f'( udpsrc address=127.0.0.1 port={udp_port} caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96" buffer-size=2097152 '
        "! rtpjitterbuffer latency=0 ! rtph264depay ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(True)
    factory.set_suspend_mode(GstRtspServer.RTSPSuspendMode.NONE)
    method = os.environ.get("VIGIL_RTSP_AUTH", "")
    if method:
        require_auth(server, factory, method)
    server.get_mount_points().add_factory(mount, factory)
    counters = {"connected": 0, "closed": 0}

    def on_closed(_client):
        counters["closed"] += 1
        print(f"CLIENT_CLOSED {counters['closed']}", flush=True)

    def on_client(_server, client):
        counters["connected"] += 1
        client.connect("closed", on_closed)
        print(f"CLIENT_CONNECTED {counters['connected']}", flush=True)

    server.connect("client-connected", on_client)
    if server.attach(None) == 0:
        print("ERROR attach failed", flush=True)
        sys.exit(1)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop = GLib.MainLoop()
    feeders = []

    def on_stdin(_fd, cond):
        data = os.read(0, 4096) if cond & GLib.IO_IN else b""
        if data:
            for line in data.decode(errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == "FEEDER" and parts[1].isdigit():
                    feeders.append(int(parts[1]))
            return True
        for pid in feeders:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        loop.quit()
        return False

    if watch_stdin:
        GLib.io_add_watch(0, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
