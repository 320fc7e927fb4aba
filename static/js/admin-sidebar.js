/*
 * The admin's navigation sidebar, open or closed as staff left it, from the
 * first paint. Django's own script (admin/js/nav_sidebar.js) applies that
 * state once the page is parsed (it is deferred): until then the page was
 * drawn without the sidebar, then jumped 276 px to the right under the
 * pointer. This one runs as soon as the sidebar is parsed (loaded without
 * defer, right after it, by templates/admin/base_site.html), before the
 * content below it is drawn; Django's script then finds the state in place.
 */
(function () {
  "use strict";

  var main = document.getElementById("main");
  var open = "true";
  try {
    open = window.localStorage.getItem("django.admin.navSidebarIsOpen") || "true";
  } catch (error) {
    // Storage refused (a locked-down browser): Django's default, open.
  }
  if (main) {
    main.classList.toggle("shifted", open === "true");
  }
})();
