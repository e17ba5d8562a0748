#!/usr/bin/python3
# file-transfer.py: push a file with progress, both ends in one process
#
# The sender offers a file (RFC 5547), the receiver answers with where it
# goes, and both start; in an application the offer and the answer travel
# in SIP, here they go as SDP text. Exits 0 once the file arrived whole.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import tempfile

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

loop = GLib.MainLoop()
ended = []
directory = tempfile.mkdtemp(prefix='msrp-file-example-')
path = os.path.join(directory, 'photo.jpg')
copy = os.path.join(directory, 'received.jpg')
data = os.urandom(3 * 1024 * 1024)
with open(path, 'wb') as f:
    f.write(data)


def show_progress(transfer, pspec, who):
    print(f'{who}: {100 * transfer.props.bytes_transferred // max(transfer.props.size, 1):3d} %')


def on_ended(transfer, who):
    ended.append(who)
    if len(ended) == 2:
        loop.quit()


def watch(transfer, who):
    transfer.connect('notify::bytes-transferred', show_progress, who)
    transfer.connect('ended', on_ended, who)
    transfer.connect('failed', lambda t, error: (print('failed:', error.message), loop.quit()))


sender = Msrp.FileTransfer.new_push(Gio.File.new_for_path(path), 'image/jpeg')
watch(sender, 'sent')
receiver = None


def on_answer(receiver, result):
    answer = Msrp.SdpMedia.parse(receiver.initialize_finish(result).to_string())
    # The sender waits for the receiver, which connects.
    sender.start_async(answer, None, None)
    receiver.start_async(None, None, None)


def on_offer(sender, result):
    global receiver
    offer = Msrp.SdpMedia.parse(sender.initialize_finish(result).to_string())
    receiver = Msrp.FileTransfer.new_from_offer(offer, Gio.File.new_for_path(copy))
    watch(receiver, 'received')
    receiver.initialize_async(offer, None, on_answer)


# Hashes the file (in a thread), then makes the offer.
sender.initialize_async(None, None, on_offer)
GLib.timeout_add_seconds(30, loop.quit)
loop.run()

ok = len(ended) == 2 and os.path.exists(copy) and open(copy, 'rb').read() == data
for name in (path, copy):
    if os.path.exists(name):
        os.unlink(name)
os.rmdir(directory)
sys.exit(0 if ok else 1)
