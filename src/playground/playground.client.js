/* global React, ReactDOM, GraphiQL, document, localStorage, MutationObserver */
// The playground page's only script (served as /playground/assets/playground.js).
// Plain browser JS against the UMD globals the page loads before it: no
// bundler, and no inline script, so the page's CSP can forbid inline code.
(function () {
  'use strict';

  // Written by the server into <script type="application/json">: data, never executed.
  var config = JSON.parse(document.getElementById('investigations').textContent);

  // GraphiQL keeps the user's tabs in localStorage and then ignores defaultTabs.
  // Drop them when the saved investigations changed, so new ones appear;
  // otherwise edits survive a reload.
  try {
    if (localStorage.getItem('auditgraph:investigations') !== config.version) {
      localStorage.removeItem('graphiql:tabState');
      localStorage.setItem('auditgraph:investigations', config.version);
    }
  } catch {
    // Storage disabled: GraphiQL falls back to defaultTabs on every load anyway.
  }

  var root = document.getElementById('graphiql');
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
      defaultEditorToolsVisibility: true,
      defaultTabs: config.tabs.map(function (tab) {
        return { query: tab.query, variables: tab.variables };
      }),
    }),
  );

  // GraphiQL 3 labels each tab with its operation name and has no title
  // option: show the investigation's title instead while the tab still runs
  // the saved operation (React rewrites the label when the name changes).
  var titles = {};
  config.tabs.forEach(function (tab) {
    titles[tab.operationName] = tab.title;
  });
  function relabel() {
    root.querySelectorAll('.graphiql-tab-button').forEach(function (button) {
      var title = titles[button.textContent];
      if (title && title !== button.textContent) {
        button.title = 'operation ' + button.textContent;
        button.textContent = title;
      }
    });
  }
  new MutationObserver(relabel).observe(root, { childList: true, subtree: true, characterData: true });
})();
