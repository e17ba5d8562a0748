#!/usr/bin/python3
# serve.py: serves the web chat page on 127.0.0.1, and hands the SDP between
# the page and `msrp chat`: GET offer.sdp reads msrp chat's offer file, PUT
# answer.sdp writes its answer file. Any static file server will do for the
# page itself; then the offer and answer are copied by hand.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   ./serve.py --port 8000 --offer-file /tmp/offer.sdp --answer-file /tmp/answer.sdp

import argparse
import functools
import http.server
import os
import tempfile

MAX_SDP = 64 * 1024


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, offer_file, answer_file, **kwargs):
        self.offer_file = offer_file
        self.answer_file = answer_file
        super().__init__(*args, **kwargs)

    def do_GET(self):
        if self.path.split('?')[0] != '/offer.sdp':
            return super().do_GET()
        try:
            with open(self.offer_file, 'rb') as f:
                data = f.read(MAX_SDP)
        except OSError:
            return self.send_error(404, 'no offer yet: start msrp chat --offer first')
        self.send_response(200)
        self.send_header('Content-Type', 'application/sdp')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Cache-Control', 'no-store')
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path.split('?')[0] != '/answer.sdp':
            return self.send_error(405)
        length = int(self.headers.get('Content-Length', '0'))
        if length <= 0 or length > MAX_SDP:
            return self.send_error(413 if length > 0 else 400)
        data = self.rfile.read(length)
        # msrp chat watches the file: it must appear whole, so write a
        # temporary file beside it and rename it into place.
        directory = os.path.dirname(os.path.abspath(self.answer_file))
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as f:
            f.write(data)
        os.replace(f.name, self.answer_file)
        self.send_response(204)
        self.end_headers()


def main():
    parser = argparse.ArgumentParser(description='Serve the msrp-glib web chat page.')
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--offer-file', default='offer.sdp')
    parser.add_argument('--answer-file', default='answer.sdp')
    args = parser.parse_args()

    handler = functools.partial(Handler, offer_file=args.offer_file, answer_file=args.answer_file,
                                directory=os.path.dirname(os.path.abspath(__file__)))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port), handler)
    print(f'http://127.0.0.1:{server.server_address[1]}/', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
