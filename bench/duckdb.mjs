// The DuckDB anchor of bench/run.sh: every json/<kind>.json of a snapshot
// read with read_json and written with COPY TO parquet (zstd), as an analyst
// would turn halocfg's JSON into Parquet without halocfg.
//   node bench/duckdb.mjs SNAPSHOT/json OUTDIR
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

// @duckdb/node-api is installed into bench/.cache, beside no package.json.
const require = createRequire(join(import.meta.dirname, ".cache", "node_modules", "x.js"));
const { DuckDBInstance } = require("@duckdb/node-api");

const [src, out] = process.argv.slice(2);
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
let files = 0;
for (const f of readdirSync(src).sort()) {
  if (!f.endsWith(".json")) continue;
  const kind = f.slice(0, -".json".length);
  await con.run(
    `COPY (SELECT * FROM read_json(${quote(join(src, f))}, format = 'array', maximum_object_size = 268435456))
     TO ${quote(join(out, kind + ".parquet"))} (FORMAT parquet, COMPRESSION zstd)`,
  );
  files++;
}
console.log(`${files} files`);
