#!/usr/bin/python3
"""Parses each NAME.json given as a google.cloud.vision.v1.AnnotateImageResponse
with Python's protobuf json_format.Parse, which rejects unknown fields and
values of the wrong type: the strict reading Google's Python users get.

The message types come from Google's own .proto files (the npm package
@google-cloud/vision, with google-gax's common protos), compiled by protoc
into a descriptor set: nothing is generated into the source tree.

    check_response.py PROTO_INCLUDE_DIR... -- FILE...
Prints one line per file; exits 1 if any file fails.
"""
import json
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def response_class(include_dirs):
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        subprocess.run(["protoc", *("-I" + d for d in include_dirs), "--include_imports",
                        "--descriptor_set_out=" + out.name, "google/cloud/vision/v1/image_annotator.proto"],
                       check=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(open(out.name, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    descriptor = pool.FindMessageTypeByName("google.cloud.vision.v1.AnnotateImageResponse")
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def main(argv):
    split = argv.index("--")
    Response = response_class(argv[:split])
    failed = False
    for path in argv[split + 1:]:
        text = open(path, encoding="utf-8").read()
        try:
            message = json_format.Parse(text, Response())  # unknown fields raise ParseError
            back = json_format.MessageToDict(message)
            words = len(message.text_annotations)
            print("ok %s: %d faces, %d labels, %d objects, %d text entries, %d blocks, error %d, %d bytes back"
                  % (path, len(message.face_annotations), len(message.label_annotations),
                     len(message.localized_object_annotations), words,
                     sum(len(p.blocks) for p in message.full_text_annotation.pages), message.error.code,
                     len(json.dumps(back))))
        except json_format.ParseError as e:
            failed = True
            print("FAIL %s: %s" % (path, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
