/*
 * CVMS site scripts. Pages must keep working without JavaScript; anything
 * added here is progressive enhancement only.
 */
(function () {
  "use strict";
})();
