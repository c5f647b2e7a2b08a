# Reference results for tests/models/test_tipping_point.py (Rubin's rules of
# outcomes.models.tipping_point.rubin_pool).
#
# Run from anywhere:  Rscript tests/models/data/r/tipping_point.R
# Writes tipping_point_results.json next to this script. Cases:
# - nhanes_lm: mice's nhanes imputed 7 times (mice(nhanes, m = 7, seed = 20261122, printFlag =
#   FALSE)), lm(chl ~ bmi + age) on each; pool() gives the pooled estimate (qbar), within (ubar),
#   between (b) and total (t) variance, Barnard-Rubin df, riv, lambda and fmi per term; the
#   per-imputation estimates and variances (diag(vcov)) and dfcom (df.residual) are the inputs.
# - scalar_*: pool.scalar(Q, U, n, k) on made-up estimates (dfcom = n - k; n = Inf: the large-
#   sample df of Rubin 1987), the same formulas for one number.
suppressPackageStartupMessages({
  library(mice)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grepl("^--file=", args)])
here <- if (length(script) == 1L) dirname(normalizePath(script)) else getwd()

imputed <- mice(nhanes, m = 7, seed = 20261122, printFlag = FALSE)
fits <- with(imputed, lm(chl ~ bmi + age))
pooled <- pool(fits)
per_fit <- lapply(fits$analyses, function(fit) {
  list(estimate = as.list(coef(fit)), variance = as.list(diag(vcov(fit))))
})
terms <- names(coef(fits$analyses[[1]]))
table <- pooled$pooled
nhanes_lm <- list(
  m = 7L,
  dfcom = df.residual(fits$analyses[[1]]),
  terms = terms,
  estimates = lapply(terms, function(term) sapply(per_fit, function(f) f$estimate[[term]])),
  variances = lapply(terms, function(term) sapply(per_fit, function(f) f$variance[[term]])),
  pooled = lapply(seq_along(terms), function(i) {
    row <- table[i, ]
    list(term = terms[i], qbar = row$estimate, ubar = row$ubar, b = row$b, t = row$t,
         df = row$df, riv = row$riv, lambda = row$lambda, fmi = row$fmi,
         ci_low = row$estimate - qt(0.975, row$df) * sqrt(row$t),
         ci_high = row$estimate + qt(0.975, row$df) * sqrt(row$t))
  })
)

scalar <- function(q, u, n, k) {
  p <- pool.scalar(q, u, n = n, k = k)
  list(q = q, u = u, dfcom = if (is.infinite(n)) "Inf" else n - k, qbar = p$qbar,
       ubar = p$ubar, b = p$b, t = p$t, df = p$df, r = p$r, fmi = p$fmi)
}
set.seed(1)
q20 <- 0.2 + rnorm(20, sd = 0.03)
u20 <- (0.05 + runif(20, -0.002, 0.002))^2
cases <- list(
  scalar_m20 = scalar(q20, u20, n = 1000, k = 12),
  scalar_m20_large_sample = scalar(q20, u20, n = Inf, k = 1),
  scalar_m3_small = scalar(c(1.2, 0.4, 2.1), c(0.3, 0.25, 0.4), n = 12, k = 2)
)

out <- list(
  nhanes_lm = nhanes_lm,
  scalar = cases,
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  mice = as.character(packageVersion("mice")),
                  jsonlite = as.character(packageVersion("jsonlite")))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "tipping_point_results.json"))
