#!/usr/bin/env python3
"""Opens COUNT connections to 127.0.0.1:PORT and holds them idle until stdin closes.

Usage: idle_connections.py PORT COUNT h1|h2

h1 connections send nothing; h2 connections send the client preface and an empty SETTINGS frame, so that the
server has made its HTTP/2 session. Prints "ready N" once every connection is open (and, for h2, the server's
SETTINGS has arrived on each), then waits. Used by connection-memory.sh.
"""
import socket
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])


def main():
    port, count, protocol = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        if protocol == "h2":
            connection.sendall(PREFACE)
        held.append(connection)
    if protocol == "h2":
        for connection in held:
            connection.settimeout(10)
            if not connection.recv(9):
                sys.exit("the server closed an HTTP/2 connection")
    print(f"ready {len(held)}", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
