# Reference results for tests/models/test_meta_regression.py
# (outcomes.models.meta_regression.meta_regression).
#
# Run from anywhere:  Rscript tests/models/data/r/meta_regression.R
# Reads ../dat_bcg.csv (metafor's dat.bcg) and writes meta_regression_results.json next to this
# script. Every case is fitted with
#   rma(yi, vi, mods = ~ type, method = "REML", test = "knha")
# with a categorical moderator (R's treatment coding, the first level in alphabetical order the
# reference) and a tighter convergence threshold than metafor's default (1e-10, so that the
# comparison tests the formulas, not the stopping rule).
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
  bcg_alloc = list(
    yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi), type = as.character(bcg$alloc),
    note = "dat.bcg, 13 trials, log risk ratios; moderator: allocation (alternate, random, systematic)"
  ),
  bcg_random = list(
    yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi),
    type = ifelse(bcg$alloc == "random", "random", "not_random"),
    note = "dat.bcg, 13 trials; moderator: random allocation or not (two levels)"
  ),
  projects5 = list(
    yi = c(2.1, 3.4, 1.2, 0.8, 4.0), vi = c(0.9, 1.6, 0.7, 1.2, 2.3),
    type = c("supported_community_engagement", "supported_community_engagement",
             "supported_community_engagement", "group_community_activities",
             "group_community_activities"),
    note = "five projects' yearly change in points per year with two intervention types (3 + 2)"
  ),
  projects6 = list(
    yi = c(0.21, 0.35, -0.05, 0.02, 0.60, 0.48), vi = c(0.010, 0.020, 0.012, 0.015, 0.030, 0.018),
    type = c("peer_support", "peer_support", "group_skills_training", "group_skills_training",
             "employment", "employment"),
    note = "six projects' standardised yearly change with three intervention types (2 + 2 + 2)"
  )
)

num <- function(x) if (is.null(x) || length(x) == 0L || is.na(x)) NA_real_ else as.numeric(x)

fit_case <- function(case) {
  type <- factor(case$type)
  res <- rma(case$yi, case$vi, mods = ~ type, method = "REML", test = "knha",
             control = list(threshold = 1e-10, maxiter = 1000))
  names <- c("intercept", levels(type)[-1])
  coefficients <- lapply(seq_along(names), function(i) list(
    name = names[i], estimate = num(res$beta[i]), se = num(res$se[i]), t = num(res$zval[i]),
    df = num(rep_len(res$ddf, length(names))[i]), p = num(res$pval[i]), ci_low = num(res$ci.lb[i]),
    ci_high = num(res$ci.ub[i])
  ))
  list(
    k = res$k, p = res$p, coefficients = coefficients,
    f = num(res$QM), f_df1 = num(res$QMdf[1]), f_df2 = num(res$QMdf[2]), f_p = num(res$QMp),
    qe = num(res$QE), qe_df = res$k - res$p, qe_p = num(res$QEp),
    tau2 = num(res$tau2), tau2_se = num(res$se.tau2), r2 = num(res$R2),
    i2 = num(res$I2), h2 = num(res$H2), s2w = num(res$s2w),
    levels = levels(type)
  )
}

out <- list(
  generated_by = "tests/models/data/r/meta_regression.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  call = 'rma(yi, vi, mods = ~ type, method = "REML", test = "knha", control = list(threshold = 1e-10, maxiter = 1000))',
  cases = lapply(cases, function(case) list(
    note = case$note, yi = case$yi, vi = case$vi, type = case$type, fit = fit_case(case)
  ))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(here, "meta_regression_results.json"))
