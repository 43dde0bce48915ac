// Validates an OpenAPI document file against the OpenAPI 3.0 schema and its own rules
// (swagger-parser's validate: schema, $refs, unique operation ids, path parameters).
// Usage: node validate.js FILE. Exit 0 and "valid" when it validates, 1 with the reason else.
const SwaggerParser = require("@apidevtools/swagger-parser");
const file = process.argv[2];
SwaggerParser.validate(file)
  .then((api) => {
    console.log(`valid: OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
  })
  .catch((err) => {
    console.error(`invalid: ${err.message}`);
    process.exit(1);
  });
