#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pyftpdlib FTP server for ftpalg_interop.sh.

  pyftpd_server.py ROOT PORT PASV_MIN PASV_MAX ADDRESS...

Anonymous, with read and write access to ROOT, on PORT of every ADDRESS
(one listener each, one event loop).  pyftpdlib opens an active data
connection as soon as it gets PORT/EPRT and answers 200 only once it is
connected (or 425 if it cannot): the order the ALG must allow.
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    root, port, lo, hi = sys.argv[1:5]
    logging.basicConfig(level=logging.INFO)
    auth = DummyAuthorizer()
    auth.add_anonymous(root, perm="elradfmw")
    handler = FTPHandler
    handler.authorizer = auth
    handler.passive_ports = range(int(lo), int(hi) + 1)
    servers = [FTPServer((addr, int(port)), handler) for addr in sys.argv[5:]]
    # every server is registered with the same event loop
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
