"""The case runner the indexer's CLI tests share (test_index_inputs.py,
test_index_faults.py, test_merge.py).

    clicase.main(globals(), Ctx, "stele-merge-")

parses --stele, --source-root and a case name, runs case_<name>(Ctx(args,
tmp)) in a fresh temporary directory, and returns the exit status meson
reads: 0 passed, 1 an assertion failed, 2 no such case, 77 the case raised
Skip.  cleanup(tmp), when given, runs before the directory is removed.
"""

import argparse
import sys
import tempfile

SKIP = 77


class Skip(Exception):
    pass


def main(cases, make_ctx, prefix, cleanup=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--stele", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("case")
    args = ap.parse_args()
    fn = cases.get("case_" + args.case)
    if fn is None:
        print(f"unknown case {args.case}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            fn(make_ctx(args, tmp))
        except Skip as e:
            print(f"skip {args.case}: {e}")
            return SKIP
        except AssertionError as e:
            print(f"FAIL {args.case}: {e}", file=sys.stderr)
            return 1
        finally:
            if cleanup:
                cleanup(tmp)
    print(f"ok {args.case}")
    return 0
