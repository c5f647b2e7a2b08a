# Profile-likelihood intervals of the variance parameters, for tests/models/test_profile.py.
#
# Run from the repository root:  Rscript tests/models/data/r/profile.R
# Writes tests/models/data/r/profile_results.json and prints every interval.
#
# Data: lme4's sleepstudy (tests/models/data/sleepstudy.csv) and three simulated panels written
# by profile_panel.py: profile_panel.csv (simulate_m1_panel(300, seed = 7, dropout = 0.2,
# projects = ("a", "b")) with years = months_since_baseline / 12 and network_size_bl_c =
# network_size_bl minus its mean over participants) and two boundary cases. Fits: (a) sleepstudy
# Reaction ~ Days + (Days | Subject) by REML, (b) by ML, (c) (1 | Subject) by REML, (d) the panel
# wellbeing ~ years * network_size_bl_c + project + (1 + years | participant_id) by REML,
# (e) that model by ML on a panel with slope SD 0.01 (singular: correlation -1), (f) its
# (1 | participant_id) version by ML on a panel without random effects (SD estimated at 0),
# (g) sleepstudy with three correlated random terms (Days2 = Days^2 / 10) by ML.
#
# Two references per fit:
# - "confint": lme4's confint(m, method = "profile", oldNames = FALSE). lme4 refits a REML fit by
#   ML before profiling (refitML() in lme4:::devfun2; lme4 issues #325, #838), so these are the
#   intervals of the ML criterion for every fit, interpolated by splines through a grid of
#   profile points.
# - "exact_ml" / "exact_reml": the roots of zeta(phi) = +-qnorm(0.975) found here directly with
#   uniroot(), each profile point minimised by minqa::bobyqa (several starts) over the other
#   parameters on lme4's sd/cor/sigma scale, with lme4's own deviance components:
#     d(theta, sigma) = ldL2 [+ ldRX2 for REML] + (wrss + ||u||^2) / sigma^2 + df log(2 pi sigma^2),
#   df = n - p (REML) or n (ML). "zeta_at_confint" is the exact ML zeta at lme4's reported ends
#   (+-1.96 where lme4's interpolation is right).

suppressPackageStartupMessages({
  library(lme4)
  library(minqa)
})

here <- "tests/models/data"
z <- qnorm(0.975)

read_panel <- function(name) {
  d <- read.csv(file.path(here, "r", name))
  d$participant_id <- factor(d$participant_id)
  d$project <- factor(d$project)
  d
}
sleep <- read.csv(file.path(here, "sleepstudy.csv"))
sleep$Subject <- factor(sleep$Subject)
sleep$Days2 <- sleep$Days^2 / 10
panel <- read_panel("profile_panel.csv")
boundary_slope <- read_panel("profile_boundary_slope.csv")
boundary_intercept <- read_panel("profile_boundary_intercept.csv")

m1 <- "wellbeing ~ years * network_size_bl_c + project"
fits <- list(
  sleep_reml = lmer(Reaction ~ Days + (Days | Subject), sleep, REML = TRUE),
  sleep_ml = lmer(Reaction ~ Days + (Days | Subject), sleep, REML = FALSE),
  sleep_intercept = lmer(Reaction ~ Days + (1 | Subject), sleep, REML = TRUE),
  panel_reml = lmer(as.formula(paste(m1, "+ (1 + years | participant_id)")), panel, REML = TRUE),
  boundary_slope_ml = lmer(as.formula(paste(m1, "+ (1 + years | participant_id)")),
                           boundary_slope, REML = FALSE),
  boundary_intercept_ml = lmer(as.formula(paste(m1, "+ (1 | participant_id)")),
                               boundary_intercept, REML = FALSE),
  sleep_quadratic_ml = lmer(Reaction ~ Days + Days2 + (1 + Days + Days2 | Subject), sleep,
                            REML = FALSE)
)

# the criterion on lme4's scale (sd/cor in theta's order, then sigma) and its profiles
exact_profile <- function(m, reml) {
  fit <- if (reml) m else if (isREML(m)) refitML(m) else m
  devfun <- update(fit, devFunOnly = TRUE)
  env <- environment(devfun)
  q <- length(getME(fit, "cnms")[[1]])
  df <- if (reml) getME(fit, "n") - getME(fit, "p") else getME(fit, "n")
  crit <- function(pars) {
    sigma <- pars[length(pars)]
    devfun(lme4:::Sv_to_Cv(pars, n = q, s = sigma))
    r2 <- env$resp$wrss() + env$pp$sqrL(1)
    d <- env$pp$ldL2() + r2 / sigma^2 + df * log(2 * pi * sigma^2)
    if (reml) d <- d + env$pp$ldRX2()
    d
  }
  est <- unname(lme4:::Cv_to_Sv(getME(fit, "theta"), n = q, s = sigma(fit)))
  np <- length(est)
  # correlations are theta's off-diagonal positions (column-major lower triangle)
  pos <- unlist(lapply(seq_len(q), function(j) j:q))
  col <- unlist(lapply(seq_len(q), function(j) rep(j, q - j + 1)))
  is_cor <- c(pos != col, FALSE)
  lower <- ifelse(is_cor, -1, 0)
  upper <- ifelse(is_cor, 1, Inf)
  lower[np] <- 1e-6 * est[np]
  scale <- ifelse(is_cor, 1, pmax(est, est[np]))
  base <- crit(est)
  # polish the optimum
  polish <- bobyqa(est / scale, function(x) crit(x * scale), lower = lower / scale,
                   upper = upper / scale, control = list(rhobeg = 0.05, rhoend = 1e-10,
                                                         maxfun = 1e5))
  if (polish$fval < base) {
    est <- polish$par * scale
    base <- polish$fval
  }
  profile_one <- function(k) {
    free <- setdiff(seq_len(np), k)
    last <- est
    dev_at <- function(t) {
      starts <- list(last[free], est[free])
      if (q == 2 && any(is_cor[free])) {
        for (r in c(-0.99, 0.99)) {
          s <- last[free]
          s[is_cor[free]] <- r
          starts[[length(starts) + 1]] <- s
        }
      }
      best <- NULL
      for (s in starts) {
        s <- pmin(pmax(s, lower[free] + 1e-8), upper[free] - 1e-8)
        f <- function(x) {
          p <- numeric(np)
          p[free] <- x * scale[free]
          p[k] <- t
          crit(p)
        }
        o <- bobyqa(s / scale[free], f, lower = lower[free] / scale[free],
                    upper = upper[free] / scale[free],
                    control = list(rhobeg = 0.02, rhoend = 1e-9, maxfun = 1e5))
        if (is.null(best) || o$fval < best$fval) best <- o
      }
      last[free] <<- best$par * scale[free]
      last[k] <<- t
      best$fval
    }
    zeta <- function(t) sign(t - est[k]) * sqrt(max(dev_at(t) - base, 0))
    ends <- c(NA_real_, NA_real_)
    for (side in c(-1, 1)) {
      last <- est
      # SDs are bounded below by 0, correlations by -1 and 1; sigma's profile always crosses
      bounded <- (side < 0 && k != np) || (side > 0 && is_cor[k])
      bound <- if (side < 0) lower[k] else upper[k]
      if (bounded) {
        if (est[k] == bound) {
          ends[(side + 3) / 2] <- bound
          next
        }
        zb <- zeta(bound)
        if (side * zb < z) {
          ends[(side + 3) / 2] <- bound
          next
        }
        far <- bound
      } else {
        far <- est[k]
        step <- if (est[k] > 0) est[k] * 0.25 else est[np] * 0.1
        repeat {
          far <- if (side > 0) far + step else far / 1.5
          step <- step * 1.5
          if (side * zeta(far) >= z) break
        }
      }
      last <- est
      root <- uniroot(function(t) zeta(t) - side * z, sort(c(est[k], far)),
                      tol = 1e-10 * scale[k], maxiter = 200)
      ends[(side + 3) / 2] <- root$root
    }
    list(ends = ends, zeta = zeta)
  }
  profiles <- lapply(seq_len(np), profile_one)
  list(estimates = est, criterion = base, profiles = profiles)
}

models <- list()
for (name in names(fits)) {
  m <- fits[[name]]
  ci <- suppressWarnings(confint(m, method = "profile", oldNames = FALSE))
  cat("\n==", name, "==\n")
  print(m, ranef.comp = "Std.Dev.")
  print(ci)
  names_var <- head(rownames(ci), length(getME(m, "theta")) + 1)
  ml <- exact_profile(m, reml = FALSE)
  entry <- list(
    formula = paste(deparse(formula(m)), collapse = " "),
    reml = isREML(m),
    criterion = if (isREML(m)) unname(REMLcrit(m)) else unname(deviance(m)),
    theta = unname(getME(m, "theta")),
    parameters = names_var,
    confint = lapply(setNames(seq_len(nrow(ci)), rownames(ci)), function(i) unname(ci[i, ])),
    exact_ml = list(
      criterion = ml$criterion,
      estimates = setNames(as.list(ml$estimates), names_var),
      intervals = setNames(lapply(ml$profiles, function(p) p$ends), names_var),
      zeta_at_confint = setNames(lapply(seq_along(names_var), function(i) {
        ends <- ci[names_var[i], ]
        vapply(ends, function(e) ml$profiles[[i]]$zeta(e), 0)
      }), names_var)
    )
  )
  cat("exact ML profile:\n")
  print(do.call(rbind, entry$exact_ml$intervals))
  if (isREML(m)) {
    reml <- exact_profile(m, reml = TRUE)
    entry$exact_reml <- list(
      criterion = reml$criterion,
      estimates = setNames(as.list(reml$estimates), names_var),
      intervals = setNames(lapply(reml$profiles, function(p) p$ends), names_var)
    )
    cat("exact REML profile:\n")
    print(do.call(rbind, entry$exact_reml$intervals))
  }
  models[[name]] <- entry
}

out <- list(
  r_version = R.version.string,
  lme4_version = as.character(packageVersion("lme4")),
  minqa_version = as.character(packageVersion("minqa")),
  level = 0.95,
  models = models
)
jsonlite::write_json(out, file.path(here, "r", "profile_results.json"),
                     auto_unbox = TRUE, digits = NA, pretty = TRUE)
