// The widget demo page: the embed snippet with this gateway's own address, and the widget
// itself, in the language the page is shown in.

import { currentLanguage, onLanguageChange } from "./i18n.js";
import { pageReady, setUpPage } from "./ui.js";

function showSnippet() {
  const tag = `<script src="${window.location.origin}/widget.js" data-skills="translation,interpretation" data-limit="5" `
    + `data-lang="${currentLanguage()}" async></script>`;
  document.getElementById("snippet").textContent = tag;
}

function showWidget() {
  const example = document.getElementById("example");
  const script = document.createElement("script");
  script.src = "widget.js";
  script.dataset.limit = "5";
  script.dataset.lang = currentLanguage();
  example.replaceChildren(script);  // the widget draws itself right after its script tag
}

async function main() {
  await setUpPage();
  showSnippet();
  showWidget();
  onLanguageChange(() => { showSnippet(); showWidget(); });
  pageReady();
}

main();
