# Reference results for tests/models/test_meta.py (outcomes.models.meta.pool_effects).
#
# Run from anywhere:  Rscript tests/models/data/r/metafor.R
# Reads ../dat_bcg.csv (metafor's dat.bcg) and writes metafor_results.json next to this script.
# Every case is fitted with rma(method = "REML" / "DL", test = "knha" / "z"), plus "FE" (z);
# confint() gives the Q-profile interval of tau^2 (and tau, I^2, H^2); predict() gives
# metafor's own prediction interval (default: t with k - 1 df under knha, z otherwise; none
# for FE) and pi.type = "riley" (t with k - 2 df). The interval the package reports is
# computed here by hand:
#   estimate +/- qt(0.975, k - 2) * sqrt(se^2 + tau2),  none for k < 3
# (Higgins, Thompson & Spiegelhalter 2009, J R Stat Soc A 172:137), se as reported by the model.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grepl("^--file=", args)])
here <- if (length(script) == 1L) dirname(normalizePath(script)) else getwd()

bcg <- read.csv(file.path(here, "..", "dat_bcg.csv"))
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)

cases <- list(
  bcg = list(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi),
             note = "dat.bcg, all 13 trials, log risk ratios (escalc measure RR)"),
  bcg5 = list(yi = as.numeric(bcg$yi[1:5]), vi = as.numeric(bcg$vi[1:5]),
              note = "dat.bcg trials 1-5"),
  bcg4 = list(yi = as.numeric(bcg$yi[1:4]), vi = as.numeric(bcg$vi[1:4]),
              note = "dat.bcg trials 1-4"),
  bcg3 = list(yi = as.numeric(bcg$yi[1:3]), vi = as.numeric(bcg$vi[1:3]),
              note = "dat.bcg trials 1-3 (prediction interval with 1 df)"),
  bcg2 = list(yi = as.numeric(bcg$yi[1:2]), vi = as.numeric(bcg$vi[1:2]),
              note = "dat.bcg trials 1-2 (k = 2: no prediction interval)"),
  zero5 = list(yi = c(0.10, 0.25, -0.05, 0.30, 0.12), vi = c(0.02, 0.03, 0.025, 0.04, 0.03),
               note = "k = 5, Q below its df: tau2 = 0, Q-profile lower bound 0, upper bound > 0"),
  null4 = list(yi = c(0.10, 0.11, 0.09, 0.105), vi = c(0.04, 0.05, 0.06, 0.05),
               note = "k = 4, Q below the 2.5% chi-square quantile: Q-profile interval {0}")
)

num <- function(x) if (is.null(x) || length(x) == 0L || is.na(x)) NA_real_ else as.numeric(x)

fit_case <- function(yi, vi, method, test) {
  k <- length(yi)
  res <- rma(yi, vi, method = method, test = test)
  out <- list(
    method = method, test = test, k = res$k,
    estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb), ci_high = num(res$ci.ub),
    statistic = num(res$zval), df = if (test == "knha") num(res$ddf) else NA_real_,
    p = num(res$pval), tau2 = num(res$tau2), tau2_se = num(res$se.tau2),
    i2 = num(res$I2), h2 = num(res$H2), q = num(res$QE), q_p = num(res$QEp),
    typical_variance = num(res$vt), s2w = num(res$s2w)
  )
  if (method != "FE") {
    ci <- confint(res)
    r <- ci$random
    out$tau2_ci_low <- num(r["tau^2", "ci.lb"])
    out$tau2_ci_high <- num(r["tau^2", "ci.ub"])
    out$tau_ci_low <- num(r["tau", "ci.lb"])
    out$tau_ci_high <- num(r["tau", "ci.ub"])
    out$i2_ci_low <- num(r["I^2(%)", "ci.lb"])
    out$i2_ci_high <- num(r["I^2(%)", "ci.ub"])
    out$h2_ci_low <- num(r["H^2", "ci.lb"])
    out$h2_ci_high <- num(r["H^2", "ci.ub"])
    out$tau2_ci_null <- isTRUE(ci$ci.null)
    out$tau2_ci_lb_sign <- ci$lb.sign
    out$tau2_ci_ub_sign <- ci$ub.sign
  }
  pr <- predict(res)
  out$metafor_pi_low <- num(pr$pi.lb)
  out$metafor_pi_high <- num(pr$pi.ub)
  if (method != "FE" && k >= 3) {
    riley <- predict(res, pi.type = "riley")
    out$metafor_riley_pi_low <- num(riley$pi.lb)
    out$metafor_riley_pi_high <- num(riley$pi.ub)
    half <- qt(0.975, df = k - 2) * sqrt(res$se^2 + res$tau2)
    out$pi_low <- num(res$beta) - half
    out$pi_high <- num(res$beta) + half
    out$pi_df <- k - 2
  } else if (method == "FE") {
    # metafor's predict() reports no PI for a fixed-effect model; with tau2 = 0 it would be
    # the CI, which is what pool_effects reports
    out$pi_low <- num(res$ci.lb)
    out$pi_high <- num(res$ci.ub)
    out$pi_df <- NA_real_
  } else {
    out$pi_low <- NA_real_
    out$pi_high <- NA_real_
    out$pi_df <- NA_real_
  }
  out
}

results <- lapply(names(cases), function(name) {
  case <- cases[[name]]
  fits <- list()
  for (method in c("REML", "DL")) {
    for (test in c("knha", "z")) {
      fits[[length(fits) + 1L]] <- fit_case(case$yi, case$vi, method, test)
    }
  }
  if (name == "bcg") fits[[length(fits) + 1L]] <- fit_case(case$yi, case$vi, "FE", "z")
  list(name = name, note = case$note, yi = case$yi, vi = case$vi, fits = fits)
})
names(results) <- names(cases)

document <- list(
  generated_by = "tests/models/data/r/metafor.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  confint_tolerance = .Machine$double.eps^0.25,
  level = 0.95,
  cases = results
)
writeLines(
  toJSON(document, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
  file.path(here, "metafor_results.json")
)
