/* The open-data API's docs page (/api/v1/docs/): Swagger UI, vendored in
   static/vendor/swagger-ui/ (make vendor-swagger-ui), on the schema the
   element names. No badge from validator.swagger.io: the page loads nothing
   from elsewhere. Swagger UI has no Chinese of its own: the labels a reader
   meets are put into Chinese as they appear (the schema's own text already
   is Chinese), and what it leaves out for keyboards and screen readers is
   added (axe-core audits the page in tests/browser/test_api_docs.py). */
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof window.SwaggerUIBundle !== "function") {
    return;
  }

  var LABELS = {
    "Parameters": "参数",
    "No parameters": "无参数",
    "Try it out": "试一下",
    "Cancel": "取消",
    "Execute": "执行",
    "Clear": "清除",
    "Name": "名称",
    "Description": "说明",
    "required": "必填",
    "Available values": "可选值",
    "Default value": "默认值",
    "Send empty value": "发送空值",
    "Responses": "响应",
    "Response content type": "响应类型",
    "Code": "状态码",
    "Links": "链接",
    "No links": "无链接",
    "Media type": "媒体类型",
    // "Controls <code>Accept</code> header."
    "Controls": "决定请求的",
    "header.": "头。",
    "Example Value": "示例值",
    "Schema": "结构",
    "Schemas": "数据结构",
    "OK": "成功",
    "Bad Request": "参数有误",
    "Not Found": "没有这一项",
    "Too Many Requests": "请求过于频繁",
    "Curl": "curl 命令",
    "Request URL": "请求地址",
    "Server response": "服务器响应",
    "Response body": "响应内容",
    "Response headers": "响应头",
    "Details": "详情",
    "Download": "下载",
    "Request duration": "请求耗时",
    "Undocumented": "说明中未列出",
    "Loading...": "加载中……",
    "Failed to load API definition.": "接口说明加载失败。",
    "Expand all": "全部展开",
    "Collapse all": "全部收起",
    "Copy to clipboard": "复制",
    "Copy path to clipboard": "复制路径",
    "Servers": "服务器",
  };
  // Where a parameter goes, written "(", "query", ")" in three text nodes.
  var PLACES = { "(": "（", ")": "）", "query": "查询参数", "path": "路径参数" };
  var ATTRIBUTES = ["title", "aria-label"];

  function translateText(node) {
    var text = node.nodeValue;
    var key = text.trim();
    var parent = node.parentElement;
    var labels =
      parent && parent.closest(".parameter__in") ? PLACES : LABELS;
    if (key && Object.prototype.hasOwnProperty.call(labels, key)) {
      node.nodeValue = text.replace(key, labels[key]);
    }
  }

  function translateAttributes(node) {
    ATTRIBUTES.forEach(function (name) {
      var value = node.getAttribute(name);
      if (value && Object.prototype.hasOwnProperty.call(LABELS, value.trim())) {
        node.setAttribute(name, LABELS[value.trim()]);
      }
    });
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    return root.matches(selector) ? found.concat([root]) : found;
  }

  function makeAccessible(root) {
    // The deep link inside an operation's toggle button: one control, not two
    // (the button sets the address's #fragment itself; the link's click is
    // cancelled anyway).
    within(root, ".opblock-summary-control a[href]").forEach(function (link) {
      link.removeAttribute("href");
    });
    // A parameter's list of values is named after the parameter.
    within(root, "tr[data-param-name] select:not([aria-label])").forEach(
      function (select) {
        var row = select.closest("tr[data-param-name]");
        select.setAttribute("aria-label", row.dataset.paramName);
      }
    );
    // Examples that scroll sideways can be scrolled from the keyboard.
    within(root, "pre.microlight:not([tabindex])").forEach(function (code) {
      code.setAttribute("tabindex", "0");
    });
  }

  function translate(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    makeAccessible(root);
    translateAttributes(root);
    var walker = document.createTreeWalker(
      root,
      NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT
    );
    while (walker.nextNode()) {
      if (walker.currentNode.nodeType === Node.TEXT_NODE) {
        translateText(walker.currentNode);
      } else {
        translateAttributes(walker.currentNode);
      }
    }
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      if (mutation.type === "childList") {
        mutation.addedNodes.forEach(translate);
      } else {
        translate(mutation.target);
      }
    });
  }).observe(element, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });

  window.SwaggerUIBundle({
    domNode: element,
    url: element.dataset.schemaUrl,
    validatorUrl: null,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    supportedSubmitMethods: ["get", "head"],
    // The light theme: the default one's numbers are too faint on its dark ground.
    syntaxHighlight: { theme: "idea" },
  });
})();
