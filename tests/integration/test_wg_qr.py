"""QR codes of WireGuard client files read back as a phone's camera would:
the SVG that difos serves (tests/unit/wg_qr_svg prints it) is drawn module by
module from its viewBox and path into a bitmap, and zbarimg decodes it to
exactly the text. Also the largest text a code holds, and text that is not
a client file (every byte value)."""
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import BUILD

SVG_OF = BUILD / "tests" / "unit" / "wg_qr_svg"
NS = "{http://www.w3.org/2000/svg}"

CLIENT = (
    "[Interface]\n"
    "PrivateKey = yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=\n"
    "Address = 10.7.0.2/32, fd00:7::2/128\n"
    "DNS = 10.7.0.1, fd00:7::1\n"
    "\n"
    "[Peer]\n"
    "PublicKey = ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4=\n"
    "PresharedKey = wGiO88ShFkNXEbCWX/9Cw5UbV9goh4AgfLhKyoX0r1E=\n"
    "AllowedIPs = 0.0.0.0/0, ::/0\n"
    "Endpoint = [2001:db8::1]:51820\n"
    "PersistentKeepalive = 25\n").encode()

RECT = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")


def draw(svg, scale=4):
    """The SVG as a PBM bitmap, scale pixels a module: the white square of
    the viewBox, the path's rectangles black."""
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg" and root.get("shape-rendering") == "crispEdges"
    assert root.get("width") is None and root.get("height") is None
    x0, y0, w, h = (int(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (0, 0) and w == h
    paths = root.findall(NS + "path")
    assert len(paths) == 1 and paths[0].get("fill") == "#000"
    rect = root.find(NS + "rect")
    assert rect.get("fill") == "#fff" and rect.get("width") == str(w)
    d = paths[0].get("d")
    grid = [[0] * w for _ in range(w)]
    pos = 0
    for m in RECT.finditer(d):
        assert m.start() == pos and m.group(3) == m.group(4)
        x, y, n = int(m.group(1)), int(m.group(2)), int(m.group(3))
        for i in range(n):
            grid[y][x + i] = 1
        pos = m.end()
    assert pos == len(d)
    # the quiet zone: 4 light modules around the symbol
    for i in range(w):
        for k in range(4):
            assert not (grid[k][i] or grid[w - 1 - k][i] or grid[i][k] or grid[i][w - 1 - k])
    rows = []
    for row in grid:
        line = "".join(str(v) * scale for v in row)
        rows.extend([line] * scale)
    return w, ("P1\n%d %d\n" % (w * scale, w * scale) + "\n".join(rows) + "\n").encode()


def decode(text, tmp_path):
    svg = subprocess.run([str(SVG_OF)], input=text, capture_output=True, check=True).stdout
    w, pbm = draw(svg.decode())
    img = tmp_path / "qr.pbm"
    img.write_bytes(pbm)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sbinary", str(img)],
                         capture_output=True, check=True).stdout
    return w, out


def test_client_file_reads_back(tmp_path):
    w, out = decode(CLIENT, tmp_path)
    assert out == CLIENT
    # 343 bytes, version 14: 73 modules and the quiet zone
    assert w == 73 + 8


@pytest.mark.parametrize("size", [1, 100, 2331])
def test_sizes_read_back(tmp_path, size):
    text = (b"0123456789abcdefghij" * 200)[:size]
    w, out = decode(text, tmp_path)
    assert out == text
    assert (w - 8 - 17) % 4 == 0


def test_too_long_is_refused():
    r = subprocess.run([str(SVG_OF)], input=b"a" * 2332, capture_output=True)
    assert r.returncode == 1
    assert r.stderr == b"a QR code (error correction M) holds 1 to 2331 bytes, not 2332\n"
