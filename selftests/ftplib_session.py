#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One FTP session of python's ftplib with many transfers on one control
connection, for ftpalg_interop.sh.

  ftplib_session.py HOST PORT ROOT COUNT TIMEOUT [MODES]

Logs in anonymously and makes COUNT transfers; transfer i uses mode
MODES[i % len(MODES)] ("a": active, PORT or EPRT; "p": passive, PASV or
EPSV; default "ap": alternating) and operation i % 3: RETR of
ROOT/small.bin (compared with it), STOR of a fresh file into ROOT/up/
(compared with what the server wrote there, the test and the server
share the file system) or LIST of ROOT (must name small.bin).  Prints
one line per transfer; exits 1 at the first failure, naming it.
"""
import ftplib
import io
import os
import sys


def main():
    host, port, root, count, timeout = sys.argv[1:6]
    modes = sys.argv[6] if len(sys.argv) > 6 else "ap"
    port, count, timeout = int(port), int(count), float(timeout)
    with open(os.path.join(root, "small.bin"), "rb") as f:
        want = f.read()
    ftp = ftplib.FTP(timeout=timeout)
    ftp.connect(host, port)
    ftp.login()
    ftp.voidcmd("TYPE I")
    tag = "%d-%d" % (os.getpid(), port)
    for i in range(count):
        mode = modes[i % len(modes)]
        ftp.set_pasv(mode == "p")
        what = "%d %s" % (i, "passive" if mode == "p" else "active")
        try:
            if i % 3 == 0:
                buf = io.BytesIO()
                ftp.retrbinary("RETR small.bin", buf.write)
                if buf.getvalue() != want:
                    raise ValueError("RETR: %d bytes, not the file's %d"
                                     % (len(buf.getvalue()), len(want)))
                print(what, "RETR ok")
            elif i % 3 == 1:
                name = "up/ftplib-%s-%d" % (tag, i)
                data = os.urandom(4096 + i)
                ftp.storbinary("STOR " + name, io.BytesIO(data))
                with open(os.path.join(root, name), "rb") as f:
                    if f.read() != data:
                        raise ValueError("STOR: the server's copy differs")
                os.unlink(os.path.join(root, name))
                print(what, "STOR ok")
            else:
                lines = []
                ftp.retrlines("LIST", lines.append)
                if not any("small.bin" in line for line in lines):
                    raise ValueError("LIST without small.bin: %r" % lines)
                print(what, "LIST ok")
        except (OSError, EOFError, ValueError, ftplib.Error) as e:
            print("transfer %s failed: %s" % (what, e))
            return 1
    ftp.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
