#!/usr/bin/python3
"""Request bodies for the container tests (containers/loop.sh, containers/bombs.sh), from the real test set
(FMNIST_DATA_DIR, the original IDX .gz files) or crafted:
  payloads.py batch FIRST COUNT          JSON {"images": [[784 ints]...], "labels": [...]} of test images
  payloads.py kafka-requests PREFIX FIRST COUNT
                                         lines KEY<TAB>{"id","pixels","label"} for fmnist.requests
  payloads.py labels FIRST COUNT         the true labels, one per line
  payloads.py png-bomb FILE              the 61-byte PNG declaring 6324x6324 16-bit RGBA (valid CRCs,
                                         an empty zlib stream; ~480 MB if a decoder believed it)
  payloads.py deep-json FILE DEPTH       {"pixels": [[[[...]]]]} nested DEPTH deep
  payloads.py oversize FILE MIB          MIB MiB of zero bytes (an octet-stream body over the limit)
"""
import gzip
import json
import os
import struct
import sys
import zlib


def data_file(name):
    folder = os.environ.get('FMNIST_DATA_DIR')
    if not folder:
        sys.exit('payloads: set FMNIST_DATA_DIR to the Fashion-MNIST folder')
    return os.path.join(folder, name)


def test_set(first, count):
    with gzip.open(data_file('t10k-images-idx3-ubyte.gz')) as stream:
        magic, total, rows, cols = struct.unpack('>IIII', stream.read(16))
        if magic != 2051 or first + count > total:
            sys.exit('payloads: bad image file or range')
        stream.read(first * rows * cols)
        images = [list(stream.read(rows * cols)) for _ in range(count)]
    with gzip.open(data_file('t10k-labels-idx1-ubyte.gz')) as stream:
        magic, total = struct.unpack('>II', stream.read(8))
        stream.read(first)
        labels = list(stream.read(count))
    return images, labels


def chunk(kind, body):
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))


def main(args):
    command = args[0]
    if command == 'batch':
        images, labels = test_set(int(args[1]), int(args[2]))
        json.dump({'images': images, 'labels': labels}, sys.stdout, separators=(',', ':'))
    elif command == 'labels':
        for label in test_set(int(args[1]), int(args[2]))[1]:
            print(label)
    elif command == 'kafka-requests':
        prefix, first, count = args[1], int(args[2]), int(args[3])
        images, labels = test_set(first, count)
        for index, (pixels, label) in enumerate(zip(images, labels)):
            key = '%s-%d' % (prefix, first + index)
            record = {'id': key, 'pixels': pixels, 'label': label}
            print('%s\t%s' % (key, json.dumps(record, separators=(',', ':'))))
    elif command == 'png-bomb':
        png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 6324, 6324, 16, 6, 0, 0, 0))
               + chunk(b'IDAT', b'\x78\x9c\x03\x00') + chunk(b'IEND', b''))
        assert len(png) == 61
        with open(args[1], 'wb') as stream:
            stream.write(png)
    elif command == 'deep-json':
        depth = int(args[2])
        with open(args[1], 'w') as stream:
            stream.write('{"pixels": ' + '[' * depth + ']' * depth + '}')
    elif command == 'oversize':
        with open(args[1], 'wb') as stream:
            stream.truncate(int(args[2]) * 2 ** 20)
    else:
        sys.exit('payloads: unknown command %s' % command)


if __name__ == '__main__':
    main(sys.argv[1:])
