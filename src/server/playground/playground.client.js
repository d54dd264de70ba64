/* global React, ReactDOM, GraphiQL, document, localStorage, MutationObserver */
// The playground page's only script (served as /playground/assets/playground.js).
// Plain browser JS against the UMD globals the page loads before it: no
// bundler, and no inline script, so the page's CSP can forbid inline code.
(function () {
  'use strict';

  // Written by the server into <script type="application/json">: data, never executed.
  var config = JSON.parse(document.getElementById('investigations').textContent);

  // GraphiQL's own localStorage key for its tabs (namespace "graphiql").
  var TAB_STATE = 'graphiql:tabState';

  // GraphiQL keeps the user's tabs in localStorage and then ignores defaultTabs.
  // Drop them when the saved investigations changed, so new ones appear;
  // otherwise edits survive a reload.
  try {
    if (localStorage.getItem('auditgraph:investigations') !== config.version) {
      localStorage.removeItem(TAB_STATE);
      localStorage.setItem('auditgraph:investigations', config.version);
    }
  } catch {
    // Storage disabled: GraphiQL falls back to defaultTabs on every load anyway.
  }

  /**
   * The tab GraphiQL opens with: the one active when the page was left, else
   * the first saved investigation. GraphiQL fills its editors from its
   * `query`/`variables` props (or single storage keys), never from the
   * opening tab — so without these the first tab's Variables pane starts
   * empty, and a reload, whose editors then match no kept tab, adds a copy of
   * the first tab without its variables.
   */
  function openingTab() {
    try {
      var kept = JSON.parse(localStorage.getItem(TAB_STATE));
      var active = kept && Array.isArray(kept.tabs) ? kept.tabs[kept.activeTabIndex] : undefined;
      if (active && typeof active === 'object') {
        // headers are kept only when the user chose to persist them; then they are part of the tab's identity too.
        return { query: active.query || '', variables: active.variables || '', headers: active.headers || undefined };
      }
      // Unreadable: let GraphiQL start from the saved investigations, as we do.
      localStorage.removeItem(TAB_STATE);
    } catch {
      // No storage, or not JSON: GraphiQL starts from defaultTabs as well.
    }
    return { query: config.tabs[0].query, variables: config.tabs[0].variables };
  }

  var sendToGateway = GraphiQL.createFetcher({ url: config.endpoint });

  /**
   * GraphiQL learns a tab's operation name 100 ms after its text changes, so
   * Run right after switching tabs asks for the previous tab's operation in
   * this tab's document. The document being sent is the truth: keep the
   * editor's choice when the document has it, else its first operation (what
   * GraphiQL itself settles on a moment later).
   */
  function fetcher(params, options) {
    var parsed;
    try {
      parsed = GraphiQL.GraphQL.parse(params.query);
    } catch {
      // Not GraphQL: send it as typed, the gateway answers with the syntax error.
      return sendToGateway(params, options);
    }
    var names = parsed.definitions
      .filter(function (definition) {
        return definition.kind === 'OperationDefinition' && definition.name;
      })
      .map(function (definition) {
        return definition.name.value;
      });
    var operationName = names.indexOf(params.operationName) >= 0 ? params.operationName : names[0];
    return sendToGateway(
      Object.assign({}, params, { operationName: operationName }),
      Object.assign({}, options, { documentAST: parsed }),
    );
  }

  var opening = openingTab();
  var root = document.getElementById('graphiql');
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultTabs: config.tabs.map(function (tab) {
        return { query: tab.query, variables: tab.variables };
      }),
      query: opening.query,
      variables: opening.variables,
      headers: opening.headers,
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
