"""A null-modem cable between two pseudo-terminals, for serial tests on the
real serialport native binding (termios, real file descriptors).

Prints the two slave paths on one line, then copies bytes both ways
between the two masters until its stdin closes (the test process ended) or
it is killed (which the tests use to pull the plug). It keeps the slaves
open itself so that a test closing and reopening a port does not hang up
the line.
"""
import os
import pty
import select
import sys
import tty

master_a, slave_a = pty.openpty()
master_b, slave_b = pty.openpty()
for fd in (slave_a, slave_b):
    tty.setraw(fd)
print(os.ttyname(slave_a), os.ttyname(slave_b), flush=True)

peer = {master_a: master_b, master_b: master_a}
while True:
    readable, _, _ = select.select([master_a, master_b, sys.stdin], [], [])
    if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
        break
    for source in (master_a, master_b):
        if source in readable:
            try:
                data = os.read(source, 4096)
            except OSError:
                continue
            os.write(peer[source], data)
