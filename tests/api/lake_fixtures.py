"""Parquet fixtures for the lake tests, written by DuckDB itself through its C
API (ctypes over the same libduckdb.so the server loads): the machine's Python
has no Parquet writer."""
import ctypes
import os
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY = os.environ.get("SLUICE_DUCKDB_LIBRARY",
                          os.path.join(_HERE, "..", "..", "third_party", "duckdb", "libduckdb.so"))


class _Result(ctypes.Structure):
    # duckdb_result: deprecated fields, then internal_data (duckdb.h).
    _fields_ = [("deprecated_column_count", ctypes.c_uint64),
                ("deprecated_row_count", ctypes.c_uint64),
                ("deprecated_rows_changed", ctypes.c_uint64),
                ("deprecated_columns", ctypes.c_void_p),
                ("deprecated_error_message", ctypes.c_char_p),
                ("internal_data", ctypes.c_void_p)]


class DuckDb:
    def __init__(self):
        self.lib = ctypes.CDLL(_LIBRARY)
        self.lib.duckdb_result_error.restype = ctypes.c_char_p
        self.db = ctypes.c_void_p()
        self.con = ctypes.c_void_p()
        if self.lib.duckdb_open(None, ctypes.byref(self.db)) != 0:
            raise RuntimeError("cannot open DuckDB")
        self.lib.duckdb_connect(self.db, ctypes.byref(self.con))

    def run(self, sql):
        result = _Result()
        state = self.lib.duckdb_query(self.con, sql.encode(), ctypes.byref(result))
        error = self.lib.duckdb_result_error(ctypes.byref(result)) if state != 0 else None
        self.lib.duckdb_destroy_result(ctypes.byref(result))
        if state != 0:
            raise RuntimeError(f"DuckDB: {error.decode() if error else 'failed'}: {sql}")


_duck = None


def parquet_bytes(select):
    """The bytes of a Parquet file holding the rows of `select`."""
    global _duck
    if _duck is None:
        _duck = DuckDb()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.parquet")
        _duck.run(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
        with open(path, "rb") as f:
            return f.read()
