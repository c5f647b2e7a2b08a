# Reference results for the small-sample inference of Outcomes' mixed models.
#
# Regenerate from the repository root (Debian: r-cran-lme4 r-cran-lmertest r-cran-emmeans
# r-cran-jsonlite):
#   uv run python tests/models/data/r/inference_panel.py
#   Rscript tests/models/data/r/inference.R
# It reads inference_panel.csv (written by inference_panel.py) and ../sleepstudy.csv and writes
# inference_results.json beside this script.
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(emmeans)
  library(jsonlite)
})
emm_options(lmerTest.limit = Inf, pbkrtest.limit = Inf)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))

coefficients <- function(m) {
  s <- coef(summary(m))
  lapply(setNames(seq_len(nrow(s)), rownames(s)), function(i) list(
    estimate = s[i, "Estimate"], se = s[i, "Std. Error"], df = s[i, "df"],
    t = s[i, "t value"], p = s[i, "Pr(>|t|)"]
  ))
}
varcorr <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  lapply(seq_len(nrow(vc)), function(i) list(
    grp = vc$grp[i], var1 = vc$var1[i], var2 = if (is.na(vc$var2[i])) "" else vc$var2[i],
    vcov = vc$vcov[i], sdcor = vc$sdcor[i]
  ))
}
one_contrast <- function(m, L) {
  r <- contest(m, L, joint = FALSE, confint = TRUE)
  list(estimate = r$Estimate, se = r$`Std. Error`, df = r$df, t = r$`t value`,
       p = r$`Pr(>|t|)`, ci_low = r$lower, ci_high = r$upper)
}

out <- list(
  r_version = R.version.string,
  lme4 = as.character(packageVersion("lme4")),
  lmerTest = as.character(packageVersion("lmerTest")),
  emmeans = as.character(packageVersion("emmeans"))
)

# sleepstudy: Reaction ~ Days + (Days | Subject), REML
sleep <- read.csv(file.path(here, "..", "sleepstudy.csv"))
sleep$Subject <- factor(sleep$Subject)
m_sleep <- lmer(Reaction ~ Days + (Days | Subject), data = sleep)
out$sleepstudy <- list(coefficients = coefficients(m_sleep))

# the three-project panel: M1 with project × years (DESIGN: the interaction within projects)
d <- read.csv(file.path(here, "inference_panel.csv"))
d$participant_id <- factor(d$participant_id)
d$project <- factor(d$project)
m1 <- lmer(wellbeing ~ years * network_size_bl_c + project * years + (1 + years | participant_id),
           data = d, REML = TRUE)
per_participant <- d[!duplicated(d$participant_id), ]
n_by_project <- table(per_participant$project)
weights <- as.numeric(n_by_project) / sum(n_by_project)
names_fe <- names(fixef(m1))
L_avg <- setNames(rep(0, length(names_fe)), names_fe)
L_avg["years"] <- 1
for (level in levels(d$project)[-1]) L_avg[paste0("years:project", level)] <- weights[level == levels(d$project)]
centre <- mean(per_participant$network_size_bl)
sizes <- as.numeric(quantile(per_participant$network_size_bl, c(0.1, 0.5, 0.9)))
trends <- emtrends(m1, ~ network_size_bl_c, var = "years",
                   at = list(network_size_bl_c = sizes - centre),
                   weights = weights, lmer.df = "satterthwaite")
tr <- summary(trends, infer = c(TRUE, TRUE))
out$panel <- list(
  formula = deparse(formula(m1)),
  n_observations = nrow(d),
  coefficients = coefficients(m1),
  varcorr = varcorr(m1),
  reml_criterion = as.numeric(-2 * logLik(m1)),
  project_weights = as.list(setNames(weights, levels(d$project))),
  average_slope = one_contrast(m1, L_avg),
  network_sizes = sizes,
  emtrends = lapply(seq_len(nrow(tr)), function(i) list(
    network_size_bl = sizes[i], slope = tr$years.trend[i], se = tr$SE[i], df = tr$df[i],
    ci_low = tr$lower.CL[i], ci_high = tr$upper.CL[i], t = tr$t.ratio[i], p = tr$p.value[i]
  ))
)

# the simpler random parts of the singular-fit rule: uncorrelated, then intercept only
m_diag <- lmer(wellbeing ~ years * network_size_bl_c + project * years + (1 + years || participant_id),
               data = d, REML = TRUE)
m_int <- lmer(wellbeing ~ years * network_size_bl_c + project * years + (1 | participant_id),
              data = d, REML = TRUE)
out$uncorrelated <- list(coefficients = coefficients(m_diag), varcorr = varcorr(m_diag),
                         reml_criterion = as.numeric(-2 * logLik(m_diag)))
out$intercept_only <- list(coefficients = coefficients(m_int), varcorr = varcorr(m_int),
                           reml_criterion = as.numeric(-2 * logLik(m_int)))

# one project alone (no project terms)
m_a <- lmer(wellbeing ~ years * network_size_bl_c + (1 + years | participant_id),
            data = subset(d, project == "a"), REML = TRUE)
out$project_a <- list(coefficients = coefficients(m_a), singular = isSingular(m_a))

# the model without project × years (the between-project association leaks in)
m_old <- lmer(wellbeing ~ years * network_size_bl_c + project + (1 + years | participant_id),
              data = d, REML = TRUE)
out$without_project_slopes <- list(coefficients = coefficients(m_old))

write_json(out, file.path(here, "inference_results.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
