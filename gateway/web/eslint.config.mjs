// Lint for the web pages' JavaScript (no build step: what is linted is what browsers run).
// Run from the test command (tests/unit/test_lint.py), or here: npx eslint .
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/**"] },
  js.configs.recommended,
  // Leaving fields out of a copy ({ a, ...rest }) names what is left out on purpose.
  { rules: { "no-unused-vars": ["error", { ignoreRestSiblings: true }] } },
  {
    files: ["public/assets/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    // The widget is a classic script partners include as it is: no modules.
    files: ["public/widget.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
  },
  {
    files: ["eslint.config.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
  },
];
