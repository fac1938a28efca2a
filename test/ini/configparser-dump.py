"""Dumps what Python's configparser makes of INI files, set up as python-application's ConfigFile does.

    python3 configparser-dump.py FILE...     one JSON result for FILEs read in order
    python3 configparser-dump.py --batch     stdin: a JSON list of lists of files; stdout: a JSON list of results

A result is {"error": "<ExceptionClassName>"} when read() raises, else
{"files": [files read], "sections": {name: VALUES}, "defaults": VALUES, "raw": {name or "DEFAULT": RAW}}
where VALUES maps each key of options() to its interpolated value or {"error": "<ExceptionClassName>"},
and RAW maps the same keys to their uninterpolated values.
"""
import configparser
import json
import sys


def dump(paths):
    parser = configparser.ConfigParser()
    parser.optionxform = lambda key: key.replace('-', '_')
    try:
        files = parser.read(paths, encoding='utf-8')
    except Exception as e:  # noqa: BLE001 - any failure to read is what we compare
        return {'error': type(e).__name__}

    def keys(section):
        return list(parser.defaults()) if section == parser.default_section else parser.options(section)

    def values(section):
        out = {}
        for key in keys(section):
            try:
                out[key] = parser.get(section, key)
            except Exception as e:  # noqa: BLE001
                out[key] = {'error': type(e).__name__}
        return out

    names = parser.sections() + [parser.default_section]
    return {
        'files': files,
        'sections': {name: values(name) for name in parser.sections()},
        'defaults': values(parser.default_section),
        'raw': {name: {key: parser.get(name, key, raw=True) for key in keys(name)} for name in names},
    }


def main(argv):
    if argv == ['--batch']:
        print(json.dumps([dump(paths) for paths in json.load(sys.stdin)]))
    else:
        print(json.dumps(dump(argv)))


if __name__ == '__main__':
    main(sys.argv[1:])
