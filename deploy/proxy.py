"""Run deploy/nginx.conf on loopback, with a throw-away certificate, in front of local app servers.

For the benchmark and the proxy test only: a deployment fills in the configuration by hand.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")


def nginx_available() -> bool:
    return shutil.which("nginx") is not None and shutil.which("openssl") is not None


class Proxy:
    """nginx on https://127.0.0.1:`port` (and http://127.0.0.1:`http_port`, which redirects), passing
    to the given app servers ("host:port"); each client may ask `render_rate` pages with a query string."""

    def __init__(
        self,
        *,
        port: int,
        http_port: int,
        app_servers: list[str],
        signing_servers: list[str],
        server_name: str,
        render_rate: str = "5r/s",
    ) -> None:
        self.base = f"https://127.0.0.1:{port}"
        self.http_base = f"http://127.0.0.1:{http_port}"
        self.run_dir = Path(tempfile.mkdtemp(prefix="alliance-proxy-"))
        self.run_dir.chmod(0o755)  # nginx's workers (nobody, when started as root) write their temp files here
        self.certificate = self.run_dir / "certificate.pem"
        key = self.run_dir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-days", "1", "-subj", f"/CN={server_name}", "-keyout", str(key), "-out", str(self.certificate)]
            + ["-addext", f"subjectAltName=DNS:{server_name},IP:127.0.0.1"],
            check=True,
            capture_output=True,
        )
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / name).mkdir(mode=0o777)
            (self.run_dir / name).chmod(0o777)
        values = {
            "RUN_DIR": str(self.run_dir),
            "APP_SERVERS": "; server ".join(app_servers),
            "SIGNING_SERVERS": "; server ".join(signing_servers),
            "ERROR_LOG": "stderr",
            "ACCESS_LOG": "off",
            "LISTEN": f"127.0.0.1:{port}",
            "HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "SERVER_NAME": server_name,
            "CERTIFICATE": str(self.certificate),
            "CERTIFICATE_KEY": str(key),
            "RENDER_RATE": render_rate,
        }
        config = TEMPLATE.read_text()
        for name, value in values.items():
            config = config.replace("{{" + name + "}}", value)
        (self.run_dir / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            [
                "nginx",
                "-g",
                "daemon off;",
                "-p",
                str(self.run_dir),
                "-e",
                "stderr",
                "-c",
                str(self.run_dir / "nginx.conf"),
            ]
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start (its errors are above, on standard error)")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.run_dir, ignore_errors=True)
