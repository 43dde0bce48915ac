// Validates wardmap's Open311 GeoReport v2 JSON responses against the JSON Schemas in this
// folder (draft 2020-12, written from the spec text; see README.md).
// Usage: node validate.js SCHEMA FILE     one document (SCHEMA: requests, errors, ...)
//        node validate.js --batch FILE    one {"schema": ..., "document": ...} per line
// Prints "valid: SCHEMA" or "invalid: SCHEMA #N: reasons" per document; exits 1 when any is
// invalid, 2 on bad usage or an unknown schema.
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

// strictRequired is off: oneOf/if branches name properties declared beside them; union
// types ("string or null") are the spec's own.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
const names = [];
for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith(".schema.json")).sort()) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(__dirname, file), "utf8")));
  names.push(file.replace(/\.schema\.json$/, ""));
}
const base = "https://wardmap.invalid/open311/";
// Compile every schema now, so a schema that breaks strict mode fails every run.
for (const name of names) {
  ajv.getSchema(`${base}${name}.schema.json`);
}

function check(schema, document, n) {
  if (!names.includes(schema) || schema === "defs") {
    console.error(`unknown schema '${schema}' (have: ${names.join(", ")})`);
    process.exit(2);
  }
  const validate = ajv.getSchema(`${base}${schema}.schema.json`);
  if (validate(document)) {
    console.log(`valid: ${schema}`);
    return true;
  }
  const reasons = validate.errors
    .map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`)
    .join("; ");
  console.log(`invalid: ${schema} #${n}: ${reasons}\n  document: ${JSON.stringify(document).slice(0, 600)}`);
  return false;
}

const args = process.argv.slice(2);
if (args.length !== 2) {
  console.error("usage: node validate.js SCHEMA FILE | node validate.js --batch FILE");
  process.exit(2);
}
let ok = true;
if (args[0] === "--batch") {
  const lines = fs.readFileSync(args[1], "utf8").split("\n").filter((l) => l.trim() !== "");
  lines.forEach((line, i) => {
    const item = JSON.parse(line);
    ok = check(item.schema, item.document, i + 1) && ok;
  });
} else {
  ok = check(args[0], JSON.parse(fs.readFileSync(args[1], "utf8")), 1);
}
process.exit(ok ? 0 : 1);
