#!/usr/bin/env python3
"""Differential oracle for keyturn's file model: how botocore (the AWS CLI)
parses each given file. Prints {path: {"sections": {name: {key: value}}}}
or {path: {"error": ExceptionName}} as JSON. Values are raw strings
(parse_subsections=False) so nested blocks compare as text, but a nested
block botocore cannot parse is the error it raises; sections
include the keys inherited from [DEFAULT], as configparser reports them."""

import json
import sys

import botocore.configloader
import botocore.exceptions


def main():
    out = {}
    for path in sys.argv[1:]:
        try:
            # As the AWS CLI reads a file (nested blocks parsed: a bad one
            # fails the whole file), then again for the raw values.
            botocore.configloader.raw_config_parse(path)
            parsed = botocore.configloader.raw_config_parse(path, parse_subsections=False)
            out[path] = {"sections": parsed}
        except botocore.exceptions.ConfigParseError as e:
            out[path] = {"error": type(e.__cause__ or e).__name__}
        except UnicodeDecodeError:
            out[path] = {"error": "UnicodeDecodeError"}
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
