#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/ (run from anywhere; rerun after changing it).

- lineproto: the bodies of the ingest cases recorded against Kapacitor
  (../shared/reference/kapacitor-ingest-cases.md; the file records the cases' names, answers and
  quoted lines, from which the bodies are rebuilt here), and the start of a few conformance inputs.
- write: the same cases as /write requests (query string, Content-Encoding, body; see
  fuzz/targets/src/write.rs for the format), with the case's parameters.
- frontend: every conformance script (../shared/conformance/**/*.tick) and the examples.

Each file is named after its content's hash, as libFuzzer names what it adds, and stays under
10 KB. Files already there (crash inputs kept as regressions) are left alone.
"""
import gzip
import hashlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The shared reference material sits beside the checkout (../shared), or beside its parent for a
# git worktree kept one level deeper.
SHARED = next(p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").exists())
CORPUS = ROOT / "fuzz" / "corpus"
MAX_BYTES = 10_000

T0, T1, T2 = "1700000000000000000", "1700000001000000000", "1700000002000000000"
BEFORE = f"cpu,k=before value=1 {T0}\n"
AFTER = f"cpu,k=after value=3 {T2}\n"


def around(mid: str) -> bytes:
    return (BEFORE + mid + AFTER).encode()


# Malformed (or odd) middle lines between a good first and last line.
MID = {
    "valid": f"cpu,k=mid value=2 {T1}\n",
    "mal_missing_fields": "cpu,k=mid\n",
    "mal_missing_fields_ts": f"cpu,k=mid {T1}\n",
    "mal_missing_measurement": f"value=2 {T1}\n",
    "mal_leading_space": f"   cpu,k=mid value=2 {T1}\n",
    "mal_field_no_value": f"cpu,k=mid value= {T1}\n",
    "mal_field_no_key": f"cpu,k=mid =2 {T1}\n",
    "mal_tag_no_value": f"cpu,k= value=2 {T1}\n",
    "mal_tag_no_key": f"cpu,=x value=2 {T1}\n",
    "mal_tag_no_equals": f"cpu,k value=2 {T1}\n",
    "mal_escaped_space_eats_fields": f"cpu,k=mid\\ value=2 {T1}\n",
    "mal_trailing_backslash_tag": "cpu,k=mid\\\n",
    "mal_bad_escape_seq_tag": f"cpu,k=m\\id value=2 {T1}\n",
    "mal_bad_number_123": f"cpu,k=mid value=1.2.3 {T1}\n",
    "mal_bad_number_abc": f"cpu,k=mid value=abc {T1}\n",
    "mal_bad_number_1x": f"cpu,k=mid value=1x {T1}\n",
    "mal_bad_number_minus": f"cpu,k=mid value=- {T1}\n",
    "mal_bad_number_1ii": f"cpu,k=mid value=1ii {T1}\n",
    "mal_number_NaN": f"cpu,k=mid value=NaN {T1}\n",
    "mal_number_Inf": f"cpu,k=mid value=Inf {T1}\n",
    "mal_int_overflow": f"cpu,k=mid value=9223372036854775808i {T1}\n",
    "mal_float_overflow": f"cpu,k=mid value=1e400 {T1}\n",
    "mal_unterminated_string": f"cpu,k=mid s=\"abc {T1}\n",
    "mal_bad_ts_abc": "cpu,k=mid value=2 abc\n",
    "mal_bad_ts_float": "cpu,k=mid value=2 1.5\n",
    "mal_bad_ts_overflow": "cpu,k=mid value=2 99999999999999999999\n",
    "mal_ts_negative": "cpu,k=mid value=2 -1000000000\n",
    "mal_ts_max_int64": "cpu,k=mid value=2 9223372036854775807\n",
    "mal_ts_min_int64": "cpu,k=mid value=2 -9223372036854775808\n",
    "mal_ts_extra_token": f"cpu,k=mid value=2 {T1} 5\n",
    "mal_dup_field": f"cpu,k=mid value=2,value=5 {T1}\n",
    "mal_dup_field_difftype": f"cpu,k=mid value=2,value=\"s\" {T1}\n",
    "mal_dup_tag": f"cpu,k=mid,k=other value=2 {T1}\n",
    "mal_empty_line": "\n",
    "mal_blank_lines_ws": "   \n\t\n",
    "mal_trailing_spaces": f"cpu,k=mid value=2 {T1}   \n",
    "mal_trailing_spaces_no_ts": "cpu,k=mid value=2   \n",
    "mal_comment": "# a comment\n",
    "mal_comment_indented": "   # an indented comment\n",
    "mal_tab_separator": f"cpu,k=mid\tvalue=2 {T1}\n",
    "mal_double_space_before_ts": f"cpu,k=mid value=2  {T1}\n",
    "mal_trailing_comma_fields": f"cpu,k=mid value=2, {T1}\n",
    "mal_trailing_comma_tags": f"cpu,k=mid, value=2 {T1}\n",
    "mal_field_key_time": f"cpu,k=mid time=2 {T1}\n",
    "mal_tag_key_time": f"cpu,k=mid,time=x value=2 {T1}\n",
    "mal_unsorted_tags": f"cpu,z=1,k=mid,a=2 value=2 {T1}\n",
}

# One line `cpu,k=NAME v=VALUE T0`.
TYPED = {
    "type_int": "1i", "type_uint": "1u", "type_float": "1.5", "type_exp": "1e3",
    "type_exp_neg": "-1.5e-3", "type_float_int_like": "1", "type_float_dot": "1.",
    "type_float_lead_dot": ".5", "type_plus": "+1", "type_neg_int": "-5i",
    "type_int_max": "9223372036854775807i", "type_int_min": "-9223372036854775808i",
    "type_uint_max": "18446744073709551615u", "type_str_escapes": '"a \\"q\\" b\\\\c \\n d"',
    "type_str_empty": '""', "type_str_newline": '"line1\nline2"',
    "type_str_comma_space_eq": '"a, b=c d"', "type_b_t": "t", "type_b_T": "T",
    "type_b_true": "true", "type_b_True": "True", "type_b_TRUE": "TRUE", "type_b_f": "f",
    "type_b_F": "F", "type_b_false": "false", "type_b_False": "False", "type_b_FALSE": "FALSE",
    "type_b_tRuE": "tRuE", "type_b_yes": "yes",
    "type_multi": '1.5,i=1i,s="x",b=true',
}

# Whole bodies.
WHOLE = {
    "esc_meas_comma_space": f"c\\,p\\ u,k=esc v=1 {T0}\n",
    "esc_meas_equals": f"c=pu,k=esc v=1 {T0}\n",
    "esc_meas_backslash": f"c\\\\pu,k=esc v=1 {T0}\n",
    "esc_meas_backslash_lone": f"c\\pu,k=esc v=1 {T0}\n",
    "esc_tag_key_escapes": f"cpu,k\\ e\\,y\\=z=esc v=1 {T0}\n",
    "esc_tag_val_escapes": f"cpu,k=a\\ b\\,c\\=d v=1 {T0}\n",
    "esc_tag_val_backslash": f"cpu,k=a\\\\b v=1 {T0}\n",
    "esc_tag_val_quote": f"cpu,k=\"q\" v=1 {T0}\n",
    "esc_field_key_escapes": f"cpu,k=esc v\\ a\\,l\\=x=1 {T0}\n",
    "esc_field_key_quote": f"cpu,k=esc \"v\"=1 {T0}\n",
    "esc_meas_hash": f"#cpu,k=esc v=1 {T0}\n",
    "esc_meas_starts_hash_escaped": f"\\#cpu,k=esc v=1 {T0}\n",
    "unicode": f"温度,城市=東京 値=1,s=\"héllo 😀\" {T0}\n",
    "bom": "\ufeff" + BEFORE,
    "nul_byte": f"cpu,k=a\x00b v=1 {T0}\n",
    "long_string_field": f"cpu,k=long s=\"{'x' * 4000}\" {T0}\n",
    "long_tag": f"cpu,k={'y' * 4000} v=1 {T0}\n",
    "many_fields": "cpu,k=many " + ",".join(f"f{i}=1" for i in range(600)) + f" {T0}\n",
    "empty_body": "",
    "newline_body": "\n",
    "ws_body": " \t \n  \n",
    "comment_only_body": "# just a comment\n",
    "crlf": (BEFORE + MID["valid"] + AFTER).replace("\n", "\r\n"),
    "crlf_string_field": f"cpu,k=mid s=\"x\" {T0}\r\n",
    "cr_only": (BEFORE + AFTER).replace("\n", "\r"),
    "no_trailing_newline": (BEFORE + AFTER).rstrip("\n"),
    "no_ts_3points": "cpu,k=nots1 v=1\ncpu,k=nots2 v=2\ncpu,k=nots3 v=3\n",
    "no_ts_mixed": f"cpu,k=nots v=1\ncpu,k=ts v=2 {T0}\n",
}

# (name, query) of the parameter cases, each with a body of its own.
PRECISION_BODY = "cpu,k=prec v=1 1700000000\n"
QUERIES = [
    ("prec_n", "db=telegraf&rp=autogen&precision=n"),
    ("prec_ns", "db=telegraf&rp=autogen&precision=ns"),
    ("prec_u", "db=telegraf&rp=autogen&precision=u"),
    ("prec_us", "db=telegraf&rp=autogen&precision=us"),
    ("prec_micro", "db=telegraf&rp=autogen&precision=%C2%B5"),
    ("prec_ms", "db=telegraf&rp=autogen&precision=ms"),
    ("prec_s", "db=telegraf&rp=autogen&precision=s"),
    ("prec_m", "db=telegraf&rp=autogen&precision=m"),
    ("prec_h", "db=telegraf&rp=autogen&precision=h"),
    ("prec_x", "db=telegraf&rp=autogen&precision=x"),
    ("prec_S", "db=telegraf&rp=autogen&precision=S"),
    ("prec_emptyparam", "db=telegraf&rp=autogen&precision="),
    ("missing_db", "rp=autogen"),
    ("empty_db", "db=&rp=autogen"),
    ("db_not_in_task", "db=other&rp=autogen"),
    ("missing_rp", "db=telegraf"),
    ("other_rp", "db=telegraf&rp=short"),
    ("db_case", "db=Telegraf&rp=autogen"),
    ("subscription", "consistency=&db=telegraf&precision=ns&rp=autogen"),
    ("encoded", "db=tele%67raf&rp=auto+gen&db=other"),
]


def lineproto_bodies():
    for name, mid in MID.items():
        yield name, around(mid)
    for name, value in TYPED.items():
        yield name, f"cpu,k={name} v={value} {T0}\n".encode()
    for name, body in WHOLE.items():
        yield name, body.encode()
    yield "invalid_utf8", b"cpu,k=\xff\xfe v=1 " + T0.encode() + b"\n"
    yield "precision", PRECISION_BODY.encode()


def write_requests():
    for name, body in lineproto_bodies():
        yield f"{name}", b"db=telegraf&rp=autogen\n\n" + body
        yield f"{name}_gzip", b"db=telegraf&rp=autogen\ngzip\n" + body
    for name, query in QUERIES:
        yield name, f"{query}\n\n{PRECISION_BODY}".encode()
        yield f"{name}_bad", f"{query}\n\n{PRECISION_BODY}cpu,k=bad\n".encode()
    plain = around(MID["valid"])
    packed = gzip.compress(plain)
    yield "gzip_precompressed", b"db=telegraf\ngzip\n" + packed
    yield "gzip_truncated", b"db=telegraf\ngzip\n" + packed[: len(packed) // 2]
    yield "gzip_two_members", b"db=telegraf\nGZIP\n" + packed + gzip.compress(BEFORE.encode())
    yield "gzip_bomb", b"db=telegraf\ngzip\n" + gzip.compress(b"a" * 400_000)
    yield "gzip_body_no_header", b"db=telegraf\n\n" + packed
    yield "deflate_header", b"db=telegraf\ndeflate\n" + plain
    yield "many_bad_lines", b"db=telegraf\n\n" + b"x\n" * 200 + BEFORE.encode()


def conformance_inputs():
    """The line-protocol lines of a few conformance inputs, cut to a few KB each."""
    cases = sorted(SHARED.glob("conformance/*/input.srpl"))[::12]
    for path in cases:
        records = path.read_text(errors="replace").splitlines()
        body = "\n".join(records[2::3])[:3000]
        yield path.parent.name, body.encode()
    for path in sorted(SHARED.glob("conformance/*/input.lp"))[::4]:
        yield path.parent.name, path.read_bytes()[:3000]


def scripts():
    for path in sorted(SHARED.glob("conformance/**/*.tick")):
        yield path.stem, path.read_bytes()
    for path in sorted((ROOT / "examples").glob("**/*.tick")):
        yield path.stem, path.read_bytes()


def write_corpus(target, inputs):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for _name, data in inputs:
        if len(data) >= MAX_BYTES:
            continue
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        written += 1
    print(f"{target}: {written} inputs")


write_corpus("lineproto", [*lineproto_bodies(), *conformance_inputs()])
write_corpus("write", write_requests())
write_corpus("frontend", scripts())
