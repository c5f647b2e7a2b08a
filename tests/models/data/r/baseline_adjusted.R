# Reference results for the baseline-adjusted Matthew model (regression to the mean;
# docs/architecture.md, "Regression to the mean").
#
# Regenerate from the repository root (Debian: r-cran-lme4 r-cran-lmertest r-cran-jsonlite):
#   Rscript tests/models/data/r/baseline_adjusted.R
# It reads inference_panel.csv (written by inference_panel.py) and writes
# baseline_adjusted_results.json beside this script. The change per year from baseline is
# built here from the long panel, independently of the Python code:
#   change_per_year = (wellbeing - wellbeing at months 0) / years, follow-up rows only,
#   network_size_bl_c and wellbeing_bl_c centred over the participants with a follow-up row.
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(jsonlite)
})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
panel <- read.csv(file.path(here, "inference_panel.csv"))

change_frame <- function(panel) {
  panel$years <- panel$months_since_baseline / 12
  base <- panel[panel$years == 0 & !is.na(panel$wellbeing), c("participant_id", "wellbeing")]
  names(base)[2] <- "wellbeing_bl"
  follow <- merge(panel[panel$years > 0 & !is.na(panel$wellbeing), ], base, by = "participant_id")
  follow$change_per_year <- (follow$wellbeing - follow$wellbeing_bl) / follow$years
  people <- follow[!duplicated(follow$participant_id), ]
  follow$network_size_bl_c <- follow$network_size_bl - mean(people$network_size_bl)
  follow$wellbeing_bl_c <- follow$wellbeing_bl - mean(people$wellbeing_bl)
  follow$project <- factor(follow$project)
  follow
}

term <- function(s, name) list(
  estimate = s[name, "Estimate"], se = s[name, "Std. Error"], df = s[name, "df"],
  t = s[name, "t value"], p = s[name, "Pr(>|t|)"]
)

# every follow-up wave: random intercept per participant, Satterthwaite (lmerTest)
all_waves <- change_frame(panel)
m <- lmer(change_per_year ~ network_size_bl_c + wellbeing_bl_c + project + (1 | participant_id),
          data = all_waves, REML = TRUE)
mixed <- term(coef(summary(m)), "network_size_bl_c")
mixed$n_participants <- length(unique(all_waves$participant_id))
mixed$n_observations <- nrow(all_waves)

# the first follow-up wave only: one row per participant, ordinary least squares
first <- change_frame(panel[panel$wave <= 1, ])
o <- lm(change_per_year ~ network_size_bl_c + wellbeing_bl_c + project, data = first)
s <- coef(summary(o))
ols <- list(
  estimate = s["network_size_bl_c", "Estimate"], se = s["network_size_bl_c", "Std. Error"],
  df = o$df.residual, t = s["network_size_bl_c", "t value"], p = s["network_size_bl_c", "Pr(>|t|)"],
  n_participants = nrow(first), n_observations = nrow(first)
)

results <- list(
  mixed = mixed, ols = ols,
  versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")))
)
write_json(results, file.path(here, "baseline_adjusted_results.json"), auto_unbox = TRUE,
           digits = NA, pretty = TRUE)
