// The compare pages: /compare/<a>/<b> (two runs side by side) and /compare?a= (pick the other).
import "../base/page.js";
import { pageData } from "../base/dom.js";
import { mountComparePage } from "../compare/compare-page.js";

mountComparePage(pageData("pg-compare-data"));
